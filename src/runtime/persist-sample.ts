import type { DbWriteConnection } from '../db/index.js';
import { type InsertRuntimeMetricParams, insertRuntimeMetric } from '../generated/index.js';

/**
 * One resource sample of a workload, as stored in `sandbox_metric`: the generated insert's parameters
 * without the sandbox, so a new column reaches the sampler through the compiler.
 *
 * @example
 * ```ts
 * const sample: MetricSample = {
 *   cpuPercent: 12.5, memoryBytes: 4_194_304, diskReadBytes: 0, diskWriteBytes: 4096, netRxBytes: 0, netTxBytes: 0,
 * };
 * ```
 */
export type MetricSample = Omit<InsertRuntimeMetricParams, 'sandboxId'>;

/**
 * Stores one sample of a sandbox (its own retried transaction; `sampled_at` is the commit time).
 *
 * @example
 * ```ts
 * await persistSample(write, sandboxId, sample);
 * ```
 */
export function persistSample(
  write: DbWriteConnection,
  sandboxId: number,
  sample: MetricSample,
): Promise<void> {
  return insertRuntimeMetric(write, { sandboxId, ...sample });
}
