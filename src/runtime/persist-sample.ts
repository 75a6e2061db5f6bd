import type { DbWriteConnection } from '../db/index.js';
import {
  type InsertRuntimeMetricParams,
  insertRuntimeMetric,
  selectRunStillWanted,
} from '../generated/index.js';

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
 * Stores one sample of a run's sandbox (its own retried transaction; `sampled_at` is the commit time),
 * only while the host still counts on that run.
 *
 * Resolves `true` when stored; `false`, storing nothing, when the run is no longer Running or its
 * sandbox is gone or recorded Stopped or Crashed: the host has written this runtime off (a stop, kill or
 * replace that raced its start), and the runtime must stop its workload.
 *
 * @example
 * ```ts
 * if (!(await persistSample(write, { sandboxId, runId }, sample))) stopWorkload();
 * ```
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
