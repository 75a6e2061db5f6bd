import type { DbReadConnection, DbWriteTransaction } from '../db/index.js';
import { selectLatestRun } from '../generated/index.js';
import { isRuntimeAlive } from './is-runtime-alive.js';
import { latestMetric } from './latest-metric.js';
import { loadActiveRun } from './load-active-run.js';
import type { SandboxHandle } from './sandbox-handle.js';
import type { SandboxRecord } from './sandbox-record.js';

/**
 * Gathers a {@link SandboxHandle} for a record: its active run (else newest run), live pid, newest
 * metric and uptime. Read-only; run it inside `read.snapshot()` for one consistent view of many.
 *
 * @example
 * ```ts
 * const handles = pools.read.snapshot((r) => records.map((record) => buildHandle(r, record)));
 * ```
 */
export function buildHandle(
  conn: DbReadConnection | DbWriteTransaction,
  record: SandboxRecord,
  now: number = Date.now(),
): SandboxHandle {
  const active = loadActiveRun(conn, record.id);
  const run = active ?? selectLatestRun(conn, { sandboxId: record.id });
  const pid = active !== undefined && isRuntimeAlive(active.pid) ? active.pid : null;
  const startedAt = active === undefined ? Number.NaN : Date.parse(active.startedAt);
  return {
    record,
    run,
    pid,
    metric: latestMetric(conn, record.id),
    uptimeMs: pid === null || Number.isNaN(startedAt) ? null : Math.max(0, now - startedAt),
  };
}
