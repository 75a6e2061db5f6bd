import type { RowCheck } from './row-check.js';

/**
 * One way of booting and stopping sandboxes (typed, naive or none), driven by `runStorm`.
 *
 * @example
 * ```ts
 * const driver: StormDriver = await openTypedDriver({ home, readyTimeoutMs, stopTimeoutMs });
 * await driver.boot('storm-1');
 * await driver.stop('storm-1');
 * await driver.close();
 * ```
 */
export interface StormDriver {
  /** Boots one sandbox until its runtime reported ready; resolves with the busy retries it reported. */
  boot(name: string): Promise<{ readonly runtimeBusyRetries: number }>;
  /** Stops one booted sandbox (SIGTERM) until its exit is recorded. */
  stop(name: string): Promise<void>;
  /** Where a failed boot's or stop's `SQLITE_BUSY` came from; null for any other error. */
  busySource(err: unknown): 'host' | 'runtime' | null;
  /** What is known only after the storm: retries, busy errors the runtimes met, the rows. */
  afterStorm(expected: { readonly count: number; readonly metricsPerSandbox: number }): Promise<StormTotals>;
  /** Releases the database and kills whatever this driver started that is still alive. */
  close(): Promise<void>;
}

/**
 * What a driver reports after the storm.
 *
 * @example
 * ```ts
 * const totals: StormTotals = { hostBusyRetries: 12, runtimeBusyErrors: 0, runtimeBusyRetriesLater: null, rows };
 * ```
 */
export interface StormTotals {
  /** Busy retries of the host's writer (null: the mode has no retry or no database). */
  readonly hostBusyRetries: number | null;
  /** `SQLITE_BUSY` errors that reached the runtimes' code, before or after their ready report. */
  readonly runtimeBusyErrors: number;
  /** Busy retries of the runtimes after their ready report, when the mode can tell (else null). */
  readonly runtimeBusyRetriesLater: number | null;
  readonly rows: RowCheck | null;
}
