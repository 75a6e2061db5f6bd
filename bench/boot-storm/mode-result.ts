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
  /** Per successful boot, from the storm's start (every boot is requested at once) until ready. */
  readonly bootMs: { readonly median: number; readonly p99: number; readonly max: number };
  /**
   * Medians of a boot's two parts: from the storm's start until its runtime was spawned (the host's
   * prepare, insert, pin, queueing, the spawn call itself), then until its ready report arrived.
   */
  readonly bootSplitMedianMs: { readonly hostUntilSpawned: number; readonly spawnedUntilReady: number };
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
  /** `monitorEventLoopDelay` (1 ms resolution, primed before the storm) of the host over boot, hold and stop. */
  readonly eventLoopDelayMs: {
    readonly p99: number;
    readonly max: number;
    /** The longest stall of each phase, from a 1 ms JavaScript interval (`trackPhaseStalls`). */
    readonly maxByPhase: { readonly boot: number; readonly hold: number; readonly stop: number };
  };
  /** How long the host's synchronous `spawn()` calls blocked it (fork, then wait for the child's exec). */
  readonly spawnBlockingMs: {
    readonly calls: number;
    readonly p99Ms: number;
    readonly maxMs: number;
    readonly totalMs: number;
  };
  /** CPU (user + system) of the reaped runtimes and their workloads, per booted sandbox. */
  readonly childCpuMsPerSandbox: number;
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
