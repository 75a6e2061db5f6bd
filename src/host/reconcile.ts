import type { DbPools, DbReadConnection, DbWriteConnection, DbWriteTransaction } from '../db/index.js';
import {
  listActiveRuns,
  markSandboxCrashedIfActive,
  selectActiveRun,
  selectSandboxById,
  selectSandboxByName,
  terminateActiveRun,
} from '../generated/index.js';
import { HostError } from '../sandbox/errors.js';
import { isRuntimeAlive, signalRuntime } from './processes.js';
import { isActiveStatus, type RunRecord, type SandboxRecord, toSandboxRecord } from './records.js';

/**
 * The newest run of a sandbox still recorded as Running, whether or not its process is alive.
 *
 * @example
 * ```ts
 * const run = loadActiveRun(pools.read, record.id);
 * ```
 */
export function loadActiveRun(
  conn: DbReadConnection | DbWriteTransaction,
  sandboxId: number,
): RunRecord | undefined {
  return selectActiveRun(conn, { sandboxId });
}

/**
 * The sandbox named `name`, or `undefined`. Read-only; may join a write transaction.
 *
 * @example
 * ```ts
 * const record = loadSandboxRecord(pools.read, 'web');
 * ```
 */
export function loadSandboxRecord(
  conn: DbReadConnection | DbWriteTransaction,
  name: string,
): SandboxRecord | undefined {
  const row = selectSandboxByName(conn, { name });
  return row === undefined ? undefined : toSandboxRecord(row);
}

/**
 * The sandbox named `name` after {@link reconcileSandboxRuntimeState}, or `undefined`.
 *
 * @example
 * ```ts
 * const record = await loadSandboxRecordReconciled(pools, 'web');
 * ```
 */
export async function loadSandboxRecordReconciled(
  pools: DbPools,
  name: string,
): Promise<SandboxRecord | undefined> {
  const record = loadSandboxRecord(pools.read, name);
  return record === undefined ? undefined : reconcileSandboxRuntimeState(pools, record);
}

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

/**
 * What {@link markSandboxRuntimeStale} changed.
 *
 * @example
 * ```ts
 * const { sandboxCrashed }: StaleMarking = await markSandboxRuntimeStale(pools.write, target);
 * ```
 */
export interface StaleMarking {
  /** The run was still Running and is now Terminated/InternalError. */
  readonly runTerminated: boolean;
  /** The sandbox was Running or Draining and is now Crashed. */
  readonly sandboxCrashed: boolean;
}

/**
 * Records that a sandbox's runtime died without recording its own end, in one transaction:
 *
 * 1. the run, if still Running, becomes Terminated with reason InternalError, `terminated_at` now and
 *    the given detail;
 * 2. only if that happened, the sandbox becomes Crashed, and only while Running or Draining and with no
 *    other Running run (a Stopped row stays Stopped; a restart that raced this discovery is kept).
 *
 * @example
 * ```ts
 * await markSandboxRuntimeStale(pools.write, { sandboxId: 1, runId: 7, detail: 'runtime pid 42 is dead' });
 * ```
 */
export function markSandboxRuntimeStale(
  write: DbWriteConnection,
  target: { readonly sandboxId: number; readonly runId: number; readonly detail: string },
): Promise<StaleMarking> {
  return write.transaction((tx) => {
    const runs = terminateActiveRun(tx, {
      id: target.runId,
      terminationReason: 'InternalError',
      terminationDetail: target.detail,
      exitCode: null,
      exitSignal: null,
    });
    // A run its runtime already ended was not stale after all: that runtime set its sandbox's status.
    const sandboxes =
      runs > 0 ? markSandboxCrashedIfActive(tx, { id: target.sandboxId, staleRunId: target.runId }) : 0;
    return { runTerminated: runs > 0, sandboxCrashed: sandboxes > 0 };
  });
}

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

/**
 * The reconciled sandbox named `name`; a missing one is `HostError` `SANDBOX_NOT_FOUND`.
 *
 * @example
 * ```ts
 * const record = await requireSandbox(pools, 'web');
 * ```
 */
export async function requireSandbox(pools: DbPools, name: string): Promise<SandboxRecord> {
  const record = await loadSandboxRecordReconciled(pools, name);
  if (record === undefined) throw new HostError('SANDBOX_NOT_FOUND', `sandbox "${name}" does not exist`);
  return record;
}
