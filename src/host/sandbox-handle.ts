import type { MetricSample } from './metric-sample.js';
import type { RunRecord } from './run-record.js';
import type { SandboxRecord } from './sandbox-record.js';

/**
 * What `msb ls` and `msb inspect` show of one sandbox: its record, its current (or last) run, the
 * runtime pid if that process is alive, its newest metric sample and its uptime.
 *
 * @example
 * ```ts
 * const handle: SandboxHandle = buildHandle(pools.read, record);
 * if (handle.pid !== null) console.log(`${handle.record.name} up ${handle.uptimeMs} ms`);
 * ```
 */
export interface SandboxHandle {
  readonly record: SandboxRecord;
  /** The active run, or else the newest run; `undefined` before the first runtime started. */
  readonly run: RunRecord | undefined;
  /** The runtime pid while the active run's process is alive, else null. */
  readonly pid: number | null;
  readonly metric: MetricSample | undefined;
  /** Milliseconds since the live run started, else null. */
  readonly uptimeMs: number | null;
}
