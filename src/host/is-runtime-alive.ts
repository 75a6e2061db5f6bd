import { isPidAlive } from './is-pid-alive.js';
import { leadsOwnProcessGroup } from './leads-own-process-group.js';

/**
 * Whether a run's runtime process is alive: its pid is alive ({@link isPidAlive}: not gone, not a
 * zombie) and still leads its own process group, as every runtime does from its start. A live pid
 * that leads no group was reused by an unrelated process after the runtime died, so the run is stale.
 *
 * @example
 * ```ts
 * if (!isRuntimeAlive(run.pid)) await markSandboxRuntimeStale(pools.write, { sandboxId, runId, detail });
 * ```
 */
export function isRuntimeAlive(pid: number): boolean {
  return isPidAlive(pid) && leadsOwnProcessGroup(pid);
}
