import type { DbPools } from '../db/index.js';
import { selectSandboxById } from '../generated/index.js';
import { isRuntimeAlive } from './is-runtime-alive.js';
import { loadActiveRun } from './load-active-run.js';
import { markSandboxRuntimeStale } from './mark-sandbox-runtime-stale.js';
import { isActiveStatus, type SandboxRecord, toSandboxRecord } from './sandbox-record.js';
import { signalRuntime } from './signal-runtime.js';

/**
 * Brings a record in line with the processes that exist, and returns it fresh from the database.
 *
 * 1. A sandbox that is not Running or Draining is returned as is.
 * 2. An active run whose runtime is not alive ({@link isRuntimeAlive}: its pid is dead, or now names
 *    an unrelated process that leads no group) is stale: the run becomes Terminated/InternalError and
 *    the sandbox Crashed ({@link markSandboxRuntimeStale}), and whatever is left of the runtime's
 *    process group (its orphaned workload) is killed ({@link signalRuntime}). The kill comes first,
 *    right when the pid is found dead: once the write has awaited the lock, the group id could have
 *    been handed out again.
 * 3. A Running sandbox with no run yet is still starting (its runtime has not inserted its run) and is
 *    left alone.
 *
 * Resolves `undefined` if the row was deleted meanwhile.
 *
 * @example
 * ```ts
 * const fresh = await reconcileSandboxRuntimeState(pools, record);
 * fresh?.status; // 'Crashed' if its runtime died
 * ```
 */
export async function reconcileSandboxRuntimeState(
  pools: DbPools,
  record: SandboxRecord,
): Promise<SandboxRecord | undefined> {
  if (!isActiveStatus(record.status)) return record;
  const run = loadActiveRun(pools.read, record.id);
  if (run === undefined || isRuntimeAlive(run.pid)) return record;
  signalRuntime(run.pid, 'SIGKILL', 'group');
  await markSandboxRuntimeStale(pools.write, {
    sandboxId: record.id,
    runId: run.id,
    detail: `runtime pid ${run.pid} is no longer alive`,
  });
  const row = selectSandboxById(pools.read, { id: record.id });
  return row === undefined ? undefined : toSandboxRecord(row);
}
