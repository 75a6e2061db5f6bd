/**
 * Counters of one writer, read by the benchmark and the CLI's summary.
 *
 * @example
 * ```ts
 * const { busyRetries } = pools.write.stats;
 * ```
 */
export interface WriteStats {
  /** `transaction()` calls that finished, committed or not. */
  readonly transactions: number;
  readonly commits: number;
  /** Attempts rolled back after `BEGIN IMMEDIATE` succeeded (a body that threw, a failed commit). */
  readonly rollbacks: number;
  /** Busy attempts that were retried (a group's attempt counts once). */
  readonly busyRetries: number;
  /** Transactions that ran out of budget (`DbBusyError`). */
  readonly busyTimeouts: number;
  /** Commits that carried more than one queued transaction (group commit). */
  readonly groupCommits: number;
}
