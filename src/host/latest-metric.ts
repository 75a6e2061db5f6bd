import type { DbReadConnection, DbWriteTransaction } from '../db/index.js';
import { selectLatestMetric } from '../generated/index.js';
import type { MetricSample } from './metric-sample.js';

/**
 * The newest metric sample of a sandbox, or `undefined` before the first one.
 *
 * @example
 * ```ts
 * const cpu = latestMetric(pools.read, record.id)?.cpuPercent;
 * ```
 */
export function latestMetric(
  conn: DbReadConnection | DbWriteTransaction,
  sandboxId: number,
): MetricSample | undefined {
  return selectLatestMetric(conn, { sandboxId });
}
