import type { DbWriteConnection } from '../db/index.js';
import {
  type InsertRuntimeMetricParams,
  insertRuntimeMetric,
  selectRunStillWanted,
} from '../generated/index.js';

/** A `sandbox_metric` row minus its sandbox, derived from the generated insert so new columns reach it. */
export type MetricSample = Omit<InsertRuntimeMetricParams, 'sandboxId'>;

/**
 * Stores one sample in its own transaction, only while the host still counts on the run; `false`
 * (nothing stored) means the host wrote the run off and the runtime must stop its workload.
 */
export function persistSample(
  write: DbWriteConnection,
  run: { readonly sandboxId: number; readonly runId: number },
  sample: MetricSample,
): Promise<boolean> {
  return write.transaction((tx) => {
    if (selectRunStillWanted(tx, { runId: run.runId }) === undefined) return false;
    insertRuntimeMetric(tx, { sandboxId: run.sandboxId, ...sample });
    return true;
  });
}
