import type { RowCheck } from './row-check.js';
import type { StormMode } from './storm-args.js';

/**
 * What one mode's storm measured, written by its child process and read by `main.ts`.
 *
 * @example
 * ```ts
 * const line = `${result.mode}: ${result.successes}/${result.count} at ${result.sandboxesPerSecond}/s`;
 * ```
 */
export interface ModeResult {
  readonly mode: StormMode;
  readonly count: number;
  readonly holdSecs: number;
  /** Boots that reported ready. */
  readonly successes: number;
  /** Booted sandboxes whose stop completed with the exit recorded. */
  readonly stopped: number;
  /** From the first boot call until every boot settled. */
  readonly bootSeconds: number;
  readonly sandboxesPerSecond: number;
  /** Per successful boot, from its call until ready. */
  readonly bootMs: { readonly median: number; readonly p99: number; readonly max: number };
  readonly stopSeconds: number;
  readonly busySurfaced: {
    /** Host calls (boot or stop) that failed with a busy error of the host's own. */
    readonly host: number;
    /** Busy errors that reached the runtimes' code (failed starts, lost samples, lost exit records). */
    readonly runtimes: number;
  };
  readonly busyRetries: {
    readonly host: number | null;
    /** Sum of the runtimes' retries up to their ready reports. */
    readonly runtimesUntilReady: number | null;
    readonly runtimesLater: number | null;
  };
  /** `monitorEventLoopDelay` (1 ms resolution) of the host over boot, hold and stop. */
  readonly eventLoopDelayMs: {
    readonly p99: number;
    readonly max: number;
    readonly maxByPhase: { readonly boot: number; readonly hold: number; readonly stop: number };
  };
  readonly rows: RowCheck | null;
  /** The machine's 1-minute load average before and after the storm (it is shared with other work). */
  readonly loadAverage1m: { readonly before: number; readonly after: number };
  /** Distinct failure messages (at most ten), with how often each happened. */
  readonly failures: readonly {
    readonly phase: 'boot' | 'stop';
    readonly message: string;
    readonly count: number;
  }[];
}
