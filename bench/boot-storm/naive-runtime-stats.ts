/**
 * What a naive runtime met during its life, written as JSON to {@link NAIVE_STATS_FILE} in its sandbox
 * directory when it exits (on every path), so the bench host can count the `SQLITE_BUSY` errors that a
 * runtime without retries surfaces after its ready report, when no one is listening to it any more.
 *
 * @example
 * ```ts
 * const stats: NaiveRuntimeStats = { busyErrors: 1, samplesStored: 3, samplesFailed: 1, exitRecorded: true, errors: [] };
 * ```
 */
export interface NaiveRuntimeStats {
  /** Statements or transactions that failed with `SQLITE_BUSY*` (each one a lost write). */
  readonly busyErrors: number;
  readonly samplesStored: number;
  readonly samplesFailed: number;
  /** Whether the run's end and the sandbox's Stopped status were committed. */
  readonly exitRecorded: boolean;
  /** The first few distinct error messages, for the report. */
  readonly errors: readonly string[];
}

/**
 * The name of the stats file in a naive runtime's sandbox directory.
 *
 * @example
 * ```ts
 * readFileSync(join(sandboxDir, NAIVE_STATS_FILE), 'utf8');
 * ```
 */
export const NAIVE_STATS_FILE = 'naive-runtime-stats.json';

/**
 * The exit code of a naive runtime that recorded its workload's end but met `SQLITE_BUSY` on the way
 * (a lost sample): distinct from 0 (clean) and 1 (failed before or during the start).
 *
 * @example
 * ```ts
 * if (code === NAIVE_BUSY_EXIT_CODE) busyRuntimes++;
 * ```
 */
export const NAIVE_BUSY_EXIT_CODE = 3;
