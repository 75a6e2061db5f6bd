import type { DbWriteConnection } from '../db/index.js';
import { type InsertRuntimeMetricIfWantedParams, insertRuntimeMetricIfWanted } from '../generated/index.js';

/** A `sandbox_metric` row minus its sandbox (the run's), derived from the generated insert so new columns reach it. */
export type MetricSample = Omit<InsertRuntimeMetricIfWantedParams, 'runId'>;

/**
 * Stores one sample in its own transaction, only while the host still counts on the run; `false`
 * (nothing stored) means the host wrote the run off and the runtime must stop its workload. The test
 * and the insert are one statement: it runs once a second per sandbox, under the write lock.
 */
export function persistSample(
  write: DbWriteConnection,
  run: { readonly runId: number },
  sample: MetricSample,
): Promise<boolean> {
  return insertRuntimeMetricIfWanted(write, { runId: run.runId, ...sample }).then((stored) => stored > 0);
}
