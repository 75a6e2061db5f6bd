import type { Database } from 'better-sqlite3';
import { openSqlite } from './connection-builder.js';
import { DbBusyError } from './db-busy-error.js';
import { type DbWriteOptions, DEFAULT_CONNECT_TIMEOUT_MS } from './db-open-options.js';
import { DbWriteTransaction, type TransactionState } from './db-write-transaction.js';
import { assertInternal, assertNotThenable, INTERNAL } from './internal.js';
import { resolveMigrations } from './migration.js';
import { applyMigrations } from './migrator.js';
import { retryOnBusy } from './retry-on-busy.js';
import { type RetryPolicy, resolveRetryPolicy } from './retry-policy.js';
import { StatementCache } from './statement-cache.js';
import type { WriteStats } from './write-stats.js';

/**
 * The one writer of a process. All writes go through {@link DbWriteConnection.transaction}; the
 * connection itself has no query methods, so passing it to a `:read` function is a compile error.
 *
 * Opening creates the file and its directories, sets `journal_mode=WAL`, `synchronous=NORMAL`,
 * `foreign_keys=ON` and `busy_timeout=0` (busy waits happen asynchronously, never on the event loop),
 * then applies pending migrations.
 *
 * @example
 * ```ts
 * const write = await DbWriteConnection.open(dbPathFor(msbHome()));
 * await setSandboxStatus(write, { id: 1, status: 'Stopped' });
 * write.close();
 * ```
 */
export class DbWriteConnection {
  readonly #db: Database;
  readonly #cache: StatementCache;
  readonly #policy: RetryPolicy;
  readonly #stats = { transactions: 0, commits: 0, rollbacks: 0, busyRetries: 0, busyTimeouts: 0 };
  readonly #begin;
  readonly #commit;
  readonly #rollback;
  #tail: Promise<unknown> = Promise.resolve();
  #inBody = false;

  /** @internal Use {@link DbWriteConnection.open}. */
  constructor(token: typeof INTERNAL, db: Database, policy: RetryPolicy) {
    assertInternal(token, 'DbWriteConnection');
    this.#db = db;
    this.#cache = new StatementCache(db);
    this.#policy = policy;
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
  }

  /**
   * Opens the writer: creates the file, sets the pragmas, applies pending migrations.
   *
   * 1. Pragmas and migrations that meet a busy lock are retried asynchronously for up to
   *    `connectTimeoutMs` (default 30 s); several processes may open one fresh file at once and each
   *    migration is applied exactly once.
   * 2. A database newer than the code is refused (`DbOpenError` `DB_SCHEMA_TOO_NEW`).
   *
   * @example
   * ```ts
   * const write = await DbWriteConnection.open('/tmp/msb.db', { retry: { budgetMs: 2_000 } });
   * ```
   */
  static async open(path: string, options: DbWriteOptions = {}): Promise<DbWriteConnection> {
    const policy = resolveRetryPolicy(options.retry);
    const connectPolicy = { ...policy, budgetMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS };
    const migrations = resolveMigrations(options.migrations);
    const db = openSqlite(path, { readonly: false, busyTimeoutMs: 0 });
    try {
      await retryOnBusy(() => {
        const mode = db.pragma('journal_mode = WAL', { simple: true });
        if (mode !== 'wal')
          throw new Error(`${path}: could not switch to WAL (journal_mode is ${String(mode)})`);
      }, connectPolicy);
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      if (migrations !== null) await applyMigrations(db, path, migrations, connectPolicy);
      return new DbWriteConnection(INTERNAL, db, policy);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** The database file. */
  get path(): string {
    return this.#db.name;
  }

  /** Whether `close()` has not been called. */
  get open(): boolean {
    return this.#db.open;
  }

  /** The busy retry policy of `transaction()`. */
  get retryPolicy(): RetryPolicy {
    return this.#policy;
  }

  /** A copy of this writer's counters. */
  get stats(): WriteStats {
    return { ...this.#stats };
  }

  /**
   * Runs `fn` in a write transaction and returns a promise of its result.
   *
   * 1. Transactions of this connection run one at a time, in call order (an async FIFO); none stays
   *    open across an `await`.
   * 2. `BEGIN IMMEDIATE` takes the write lock up front, `fn(tx)` runs synchronously, then `COMMIT`.
   * 3. On any error the attempt is rolled back (only if SQLite has not already done so).
   * 4. A busy error reruns the **whole** `fn` after an async full-jitter sleep; after the policy's budget
   *    it rejects with `DbBusyError` and nothing is committed. Other errors reject unchanged (a
   *    `SqliteError` keeps its class, code and stack).
   * 5. `fn` may run more than once, so it must be free of outside side effects. A `fn` that returns a
   *    promise is a `TypeError`. Calling `transaction()` from inside `fn` throws a `TypeError` there,
   *    so the outer transaction rolls back and rejects with it.
   *
   * @example
   * ```ts
   * const id = await write.transaction((tx) => {
   *   const { lastInsertRowid } = tx.run('INSERT INTO t (x) VALUES (@x)', { x: 1 });
   *   return Number(lastInsertRowid);
   * });
   * ```
   */
  transaction<T>(
    fn: (tx: DbWriteTransaction) => T & (T extends PromiseLike<unknown> ? never : unknown),
  ): Promise<T> {
    if (this.#inBody) {
      // Thrown, not returned as a rejected promise: the body cannot await it, so a returned rejection
      // would go unhandled while the outer transaction committed. Throwing aborts the outer body instead.
      throw new TypeError(
        'transaction() called inside a transaction body; use the handle passed to the body instead',
      );
    }
    const result = this.#tail.then(() => this.#runWithRetry(fn));
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Waits for queued transactions, then closes the connection.
   *
   * @example
   * ```ts
   * await write.close();
   * ```
   */
  async close(): Promise<void> {
    await this.#tail;
    if (this.#db.open) this.#db.close();
  }

  async #runWithRetry<T>(fn: (tx: DbWriteTransaction) => T): Promise<T> {
    try {
      return await retryOnBusy(() => this.#attempt(fn), this.#policy, {
        onRetry: () => {
          this.#stats.busyRetries++;
        },
      });
    } catch (err) {
      if (err instanceof DbBusyError) this.#stats.busyTimeouts++;
      throw err;
    } finally {
      this.#stats.transactions++;
    }
  }

  #attempt<T>(fn: (tx: DbWriteTransaction) => T): T {
    this.#begin.run();
    const state: TransactionState = { active: true };
    try {
      this.#inBody = true;
      let result: T;
      try {
        result = fn(new DbWriteTransaction(INTERNAL, this.#cache, state));
      } finally {
        this.#inBody = false;
      }
      assertNotThenable(result, 'transaction()');
      this.#commit.run();
      this.#stats.commits++;
      return result;
    } catch (err) {
      // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR, ...); a second
      // ROLLBACK would throw and hide the original error.
      if (this.#db.inTransaction) this.#rollback.run();
      this.#stats.rollbacks++;
      throw err;
    } finally {
      state.active = false;
    }
  }
}
