import type { DbPools } from '../db/index.js';
import { listActiveRuns } from '../generated/index.js';
import { isRuntimeAlive } from './is-runtime-alive.js';
import { markSandboxRuntimeStale } from './mark-sandbox-runtime-stale.js';
import { signalRuntime } from './signal-runtime.js';

/**
 * A sandbox the reaper marked Crashed.
 *
 * @example
 * ```ts
 * const reaped: ReapedSandbox[] = await reapStaleSandboxes(pools);
 * ```
 */
export interface ReapedSandbox {
  readonly name: string;
  readonly runId: number;
  readonly pid: number;
}

/**
 * The reaper (run at CLI start): every Running or Draining sandbox whose active run's runtime pid is
 * dead becomes Crashed, its run Terminated/InternalError ({@link markSandboxRuntimeStale}), and the
 * orphaned rest of its process group is killed ({@link signalRuntime}). The kill comes first, right
 * when the pid is found dead: once the write has awaited the lock, the group id could have been
 * handed out again.
 *
 * Left alone: runs whose runtime is alive ({@link isRuntimeAlive}), sandboxes in any other status, and sandboxes with no run yet
 * (their runtime is still starting).
 *
 * @example
 * ```ts
 * for (const { name } of await reapStaleSandboxes(pools)) console.error(`${name}: runtime died`);
 * ```
 */
export async function reapStaleSandboxes(pools: DbPools): Promise<ReapedSandbox[]> {
  const reaped: ReapedSandbox[] = [];
  for (const run of listActiveRuns(pools.read)) {
    if (run.sandboxStatus !== 'Running' && run.sandboxStatus !== 'Draining') continue;
    if (isRuntimeAlive(run.pid)) continue;
    signalRuntime(run.pid, 'SIGKILL', 'group');
    const { sandboxCrashed } = await markSandboxRuntimeStale(pools.write, {
      sandboxId: run.sandboxId,
      runId: run.runId,
      detail: `runtime pid ${run.pid} is no longer alive (reaped)`,
    });
    if (sandboxCrashed) reaped.push({ name: run.name, runId: run.runId, pid: run.pid });
  }
  return reaped;
}
