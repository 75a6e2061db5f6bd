import type { DbReadConnection, DbWriteTransaction } from '../db/index.js';
import { listMetricsOfSandbox } from '../generated/index.js';
import type { MetricSample } from './metric-sample.js';

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
