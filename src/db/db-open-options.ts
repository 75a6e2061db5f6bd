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
  /** SQLite `busy_timeout` of read connections (default 5 000). Writers retry async instead (see `blockingWaitMs`). */
  readonly busyTimeoutMs?: number;
  /**
   * The schema the code expects (default: the project's `schema/`). Writers apply what is pending;
   * readers wait until it is applied. `null` skips both (a database this project does not own).
   */
  readonly migrations?: readonly Migration[] | null;
}

/**
 * How a writer waits for the write lock in `transaction()`, whether it opens or attaches.
 *
 * @example
 * ```ts
 * const wait: DbWriterWaitOptions = { retry: { budgetMs: 2_000 }, blockingWaitMs: 1_000 };
 * ```
 */
export interface DbWriterWaitOptions {
  /** The async busy retry policy of `transaction()`. */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * How long SQLite itself waits for the write lock inside one attempt of `transaction()` (its
   * `busy_timeout`, default 0) before the attempt counts as busy and the async retry takes over.
   *
   * The wait blocks the calling thread, so it is for a process whose event loop can afford it (a
   * runtime), not for the host. With hundreds of writers, a poller asleep in a JavaScript backoff leaves
   * the lock idle while SQLite's own wait retries within a millisecond or two, for a few microseconds of
   * CPU each time. A call can end up to this long after its retry budget: its last attempt may wait.
   */
  readonly blockingWaitMs?: number;
}

/**
 * Options of a writer: the open options plus how `transaction()` waits for the lock.
 *
 * @example
 * ```ts
 * const write = await DbWriteConnection.open(path, { retry: { budgetMs: 2_000 } });
 * ```
 */
export interface DbWriteOptions extends DbOpenOptions, DbWriterWaitOptions {}

/**
 * Options of `DbWriteConnection.attach`: a writer on a database another process set up.
 *
 * @example
 * ```ts
 * const write = await DbWriteConnection.attach(path, { connectTimeoutMs: 5_000, schemaVersion: 2 });
 * ```
 */
export interface DbAttachOptions extends DbWriterWaitOptions {
  /** How long attaching waits for the file to exist and reach `schemaVersion` (default 30 000). */
  readonly connectTimeoutMs?: number;
  /** The ledger version the code expects (default: the newest migration file name in `schema/`). */
  readonly schemaVersion?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
