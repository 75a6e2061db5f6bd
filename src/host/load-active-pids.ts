import type { DbReadConnection, DbWriteTransaction } from '../db/index.js';
import { listActiveRuns } from '../generated/index.js';
import { isRuntimeAlive } from './is-runtime-alive.js';
import type { SandboxStatus } from './sandbox-record.js';

/**
 * A run recorded as Running whose runtime process is alive.
 *
 * @example
 * ```ts
 * const live: ActiveRuntime[] = loadActivePids(pools.read);
 * ```
 */
export interface ActiveRuntime {
  readonly sandboxId: number;
  readonly name: string;
  readonly sandboxStatus: SandboxStatus;
  readonly runId: number;
  readonly pid: number;
}

/**
 * The runtimes that are alive: every Running run whose pid passes {@link isRuntimeAlive}. Runs whose
 * process died (or whose pid now names an unrelated process) are left out (the reaper deals with them).
 *
 * @example
 * ```ts
 * for (const { name, pid } of loadActivePids(pools.read)) console.log(name, pid);
 * ```
 */
export function loadActivePids(conn: DbReadConnection | DbWriteTransaction): ActiveRuntime[] {
  return listActiveRuns(conn)
    .filter((run) => isRuntimeAlive(run.pid))
    .map((run) => ({
      sandboxId: run.sandboxId,
      name: run.name,
      sandboxStatus: run.sandboxStatus,
      runId: run.runId,
      pid: run.pid,
    }));
}
