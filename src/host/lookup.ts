import type { DbPools, DbReadConnection, DbWriteTransaction } from '../db/index.js';
import {
  listActiveRuns,
  listMetricsOfSandbox,
  listRunsOfSandbox,
  selectActiveRun,
  selectLatestMetric,
  selectLatestRun,
  selectSandboxes,
} from '../generated/index.js';
import { HostError } from '../sandbox/errors.js';
import { isRuntimeAlive } from './processes.js';
import { loadSandboxRecord, requireSandbox } from './reconcile.js';
import {
  type MetricSample,
  type RunRecord,
  type SandboxHandle,
  type SandboxRecord,
  type SandboxStatus,
  toSandboxRecord,
} from './records.js';

/** A record's handle: active run (else newest), live pid, newest metric, uptime. Run it in a snapshot. */
export function buildHandle(
  conn: DbReadConnection | DbWriteTransaction,
  record: SandboxRecord,
  now: number = Date.now(),
): SandboxHandle {
  const active = selectActiveRun(conn, { sandboxId: record.id });
  const run = active ?? selectLatestRun(conn, { sandboxId: record.id });
  const pid = active !== undefined && isRuntimeAlive(active.pid) ? active.pid : null;
  const startedAt = active === undefined ? Number.NaN : Date.parse(active.startedAt);
  return {
    record,
    run,
    pid,
    metric: selectLatestMetric(conn, { sandboxId: record.id }),
    uptimeMs: pid === null || Number.isNaN(startedAt) ? null : Math.max(0, now - startedAt),
  };
}

/**
 * The reconciled handle of sandbox `name`; a missing one is `HostError` `SANDBOX_NOT_FOUND`.
 *
 * @example
 * ```ts
 * const { record, pid } = await getSandbox(pools, 'web');
 * ```
 */
export async function getSandbox(pools: DbPools, name: string): Promise<SandboxHandle> {
  const record = await requireSandbox(pools, name);
  return pools.read.snapshot((read) => buildHandle(read, record));
}

// Natural order, so fleet-2 comes before fleet-10 (SQLite's ORDER BY name compares bytes).
const BY_NAME = new Intl.Collator('en', { numeric: true });

/**
 * Every sandbox, by name in natural order, as handles read in one snapshot. It does not reconcile: run
 * {@link reapStaleSandboxes} first (the CLI does at start).
 *
 * @example
 * ```ts
 * for (const h of listSandboxes(pools.read)) console.log(h.record.name, h.record.status, h.pid);
 * ```
 */
export function listSandboxes(read: DbReadConnection): SandboxHandle[] {
  return read.snapshot((conn) => {
    const now = Date.now();
    return selectSandboxes(conn)
      .sort((a, b) => BY_NAME.compare(a.name, b.name))
      .map((row) => buildHandle(conn, toSandboxRecord(row), now));
  });
}

/**
 * Everything `msb inspect` shows: the handle, recent runs and recent metric samples (newest first).
 *
 * @example
 * ```ts
 * const { handle, runs }: SandboxInspection = inspectSandbox(pools.read, 'web');
 * ```
 */
export interface SandboxInspection {
  readonly handle: SandboxHandle;
  readonly runs: readonly RunRecord[];
  readonly metrics: readonly MetricSample[];
}

/**
 * A sandbox's handle, its last `limit` runs and metric samples, in one snapshot; a missing sandbox is
 * `HostError` `SANDBOX_NOT_FOUND`.
 *
 * @example
 * ```ts
 * const inspection = inspectSandbox(pools.read, 'web', 5);
 * ```
 */
export function inspectSandbox(read: DbReadConnection, name: string, limit = 10): SandboxInspection {
  return read.snapshot((conn) => {
    const record = loadSandboxRecord(conn, name);
    if (record === undefined) throw new HostError('SANDBOX_NOT_FOUND', `sandbox "${name}" does not exist`);
    return {
      handle: buildHandle(conn, record),
      runs: listRunsOfSandbox(conn, { sandboxId: record.id, limit }),
      metrics: metricsForSandbox(conn, record.id, limit),
    };
  });
}

/**
 * The newest `limit` metric samples of a sandbox, newest first.
 *
 * @example
 * ```ts
 * const last10 = metricsForSandbox(pools.read, record.id, 10);
 * ```
 */
export function metricsForSandbox(
  conn: DbReadConnection | DbWriteTransaction,
  sandboxId: number,
  limit = 60,
): MetricSample[] {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`metricsForSandbox: limit must be a positive integer, got ${limit}`);
  }
  return listMetricsOfSandbox(conn, { sandboxId, limit });
}

/** A run recorded as Running whose runtime process is alive. */
export interface ActiveRuntime {
  readonly sandboxId: number;
  readonly name: string;
  readonly sandboxStatus: SandboxStatus;
  readonly runId: number;
  readonly pid: number;
}

/** The runtimes that are alive; runs whose runtime died are left to the reaper. */
export function loadActivePids(conn: DbReadConnection | DbWriteTransaction): ActiveRuntime[] {
  return listActiveRuns(conn)
    .filter((run) => isRuntimeAlive(run.pid))
    .map(({ sandboxId, name, sandboxStatus, runId, pid }) => ({
      sandboxId,
      name,
      sandboxStatus,
      runId,
      pid,
    }));
}
