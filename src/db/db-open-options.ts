import type { Migration } from './migration.js';
import type { RetryPolicy } from './retry-policy.js';

/**
 * Options shared by `DbReadConnection.open`, `DbWriteConnection.open` and `DbPools.open`.
 *
 * @example
 * ```ts
 * const read = await DbReadConnection.open(path, { connectTimeoutMs: 0 });
 * ```
 */
export interface DbOpenOptions {
  /** How long opening waits for the file to exist and reach the code's schema (default 30 000). */
  readonly connectTimeoutMs?: number;
  /** SQLite `busy_timeout` of read connections (default 5 000). Writers always use 0 and retry async. */
  readonly busyTimeoutMs?: number;
  /**
   * The schema the code expects (default: the project's `schema/`). Writers apply what is pending;
   * readers wait until it is applied. `null` skips both (a database this project does not own).
   */
  readonly migrations?: readonly Migration[] | null;
}

/**
 * Options of a writer: the open options plus the busy retry policy of `transaction()`.
 *
 * @example
 * ```ts
 * const write = await DbWriteConnection.open(path, { retry: { budgetMs: 2_000 } });
 * ```
 */
export interface DbWriteOptions extends DbOpenOptions {
  readonly retry?: Partial<RetryPolicy>;
}

/**
 * Options of `DbWriteConnection.attach`: a writer on a database another process set up.
 *
 * @example
 * ```ts
 * const write = await DbWriteConnection.attach(path, { connectTimeoutMs: 5_000, schemaVersion: 2 });
 * ```
 */
export interface DbAttachOptions {
  /** How long attaching waits for the file to exist and reach `schemaVersion` (default 30 000). */
  readonly connectTimeoutMs?: number;
  /** The ledger version the code expects (default: the newest migration file name in `schema/`). */
  readonly schemaVersion?: number;
  readonly retry?: Partial<RetryPolicy>;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
