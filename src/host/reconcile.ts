import type { DbPools, DbReadConnection, DbWriteConnection, DbWriteTransaction } from '../db/index.js';
import {
  listAbandonedStarts,
  listActiveRuns,
  markSandboxCrashedIfActive,
  markStartAbandoned,
  selectActiveRun,
  selectSandboxById,
  selectSandboxByName,
  terminateActiveRun,
} from '../generated/index.js';
import { HostError } from '../sandbox/errors.js';
import { isRuntimeAlive, signalRuntime } from './processes.js';
import { isActiveStatus, isStartAbandoned, type SandboxRecord, toSandboxRecord } from './records.js';

/** The sandbox named `name`, or `undefined`; may join a write transaction. */
export function loadSandboxRecord(
  conn: DbReadConnection | DbWriteTransaction,
  name: string,
): SandboxRecord | undefined {
  const row = selectSandboxByName(conn, { name });
  return row === undefined ? undefined : toSandboxRecord(row);
}

/**
 * The sandbox named `name`, reconciled ({@link reconcileSandboxRuntimeState}); a missing one is
 * `HostError` `SANDBOX_NOT_FOUND`.
 *
 * @example
 * ```ts
 * const record = await requireSandbox(pools, 'web');
 * record.status; // 'Crashed' if its runtime died unseen
 * ```
 */
export async function requireSandbox(pools: DbPools, name: string): Promise<SandboxRecord> {
  const record = await loadSandboxRecordReconciled(pools, name);
  if (record === undefined) throw new HostError('SANDBOX_NOT_FOUND', `sandbox "${name}" does not exist`);
  return record;
}

/** The sandbox named `name` after {@link reconcileSandboxRuntimeState}, or `undefined`. */
export async function loadSandboxRecordReconciled(
  pools: DbPools,
  name: string,
): Promise<SandboxRecord | undefined> {
  const record = loadSandboxRecord(pools.read, name);
  return record === undefined ? undefined : reconcileSandboxRuntimeState(pools, record);
}

/**
 * Brings a record in line with the processes that exist and returns it fresh (`undefined` if the row
 * was deleted meanwhile). An active run whose runtime is not alive is stale: its group is killed, the run
 * becomes Terminated/InternalError and the sandbox Crashed. A Running sandbox with no run yet is still
 * starting until its start deadline, then Crashed too.
 */
export async function reconcileSandboxRuntimeState(
  pools: DbPools,
  record: SandboxRecord,
): Promise<SandboxRecord | undefined> {
  if (!isActiveStatus(record.status)) return record;
  const run = selectActiveRun(pools.read, { sandboxId: record.id });
  if (run === undefined) {
    if (!isStartAbandoned(record)) return record;
    await markStartAbandoned(pools.write, { id: record.id });
    return fresh(pools, record.id);
  }
  if (isRuntimeAlive(run.pid)) return record;
  // Kill first, right when the pid is found dead: once the write has awaited the lock, the group id
  // could have been handed out again.
  signalRuntime(run.pid, 'SIGKILL', 'group');
  await markSandboxRuntimeStale(pools.write, {
    sandboxId: record.id,
    runId: run.id,
    detail: `runtime pid ${run.pid} is no longer alive`,
  });
  return fresh(pools, record.id);
}

function fresh(pools: DbPools, id: number): SandboxRecord | undefined {
  const row = selectSandboxById(pools.read, { id });
  return row === undefined ? undefined : toSandboxRecord(row);
}

/**
 * Records that a runtime died without recording its end, in one transaction: the run, if still Running,
 * becomes Terminated/InternalError; only then the sandbox becomes Crashed, and only while Running or
 * Draining with no other Running run (a restart that raced this discovery is kept).
 */
export function markSandboxRuntimeStale(
  write: DbWriteConnection,
  target: { readonly sandboxId: number; readonly runId: number; readonly detail: string },
): Promise<{ readonly runTerminated: boolean; readonly sandboxCrashed: boolean }> {
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
  /** The stale run and its dead runtime's pid; null for a start no runtime ever claimed. */
  readonly runId: number | null;
  readonly pid: number | null;
}

/**
 * The reaper, run at CLI start: every Running or Draining sandbox whose runtime is dead becomes Crashed,
 * its run Terminated/InternalError, and the orphaned rest of its process group is killed. A Running
 * sandbox whose start deadline passed with no run becomes Crashed too; one still within it is starting.
 *
 * @example
 * ```ts
 * for (const { name } of await reapStaleSandboxes(pools)) console.error(`${name}: runtime died`);
 * ```
 */
export async function reapStaleSandboxes(pools: DbPools): Promise<ReapedSandbox[]> {
  const reaped: ReapedSandbox[] = [];
  for (const run of listActiveRuns(pools.read)) {
    if (!isActiveStatus(run.sandboxStatus) || isRuntimeAlive(run.pid)) continue;
    signalRuntime(run.pid, 'SIGKILL', 'group');
    const { sandboxCrashed } = await markSandboxRuntimeStale(pools.write, {
      sandboxId: run.sandboxId,
      runId: run.runId,
      detail: `runtime pid ${run.pid} is no longer alive (reaped)`,
    });
    if (sandboxCrashed) reaped.push({ name: run.name, runId: run.runId, pid: run.pid });
  }
  for (const start of listAbandonedStarts(pools.read)) {
    if ((await markStartAbandoned(pools.write, { id: start.id })) > 0) {
      reaped.push({ name: start.name, runId: null, pid: null });
    }
  }
  return reaped;
}
