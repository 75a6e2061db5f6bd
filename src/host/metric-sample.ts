import type { SelectLatestMetricRow } from '../generated/index.js';

/**
 * One `sandbox_metric` row, as a runtime's sampler wrote it.
 *
 * @example
 * ```ts
 * const sample: MetricSample | undefined = latestMetric(pools.read, record.id);
 * sample?.memoryBytes;
 * ```
 */
export type MetricSample = SelectLatestMetricRow;
