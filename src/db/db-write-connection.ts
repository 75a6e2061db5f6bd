import type { Database } from 'better-sqlite3';
import { openSqlite, waitForDatabase } from './connection-builder.js';
import { DbBusyError } from './db-busy-error.js';
import { DbOpenError } from './db-open-error.js';
import { type DbAttachOptions, type DbWriteOptions, DEFAULT_CONNECT_TIMEOUT_MS } from './db-open-options.js';
import { DbWriteTransaction, type TransactionState } from './db-write-transaction.js';
import { assertInternal, assertNotThenable, INTERNAL } from './internal.js';
import { isSqliteBusy } from './is-sqlite-busy.js';
import { resolveMigrations } from './migration.js';
import { applyMigrations, assertNotForeign, readLedger } from './migrator.js';
import { monotonicMs } from './monotonic-ms.js';
import { retryOnBusy } from './retry-on-busy.js';
import { backoffDelayMs, type RetryPolicy, resolveRetryPolicy } from './retry-policy.js';
import { latestSchemaVersion } from './schema-files.js';
import { StatementCache } from './statement-cache.js';
import type { WriteStats } from './write-stats.js';

/**
 * The one writer of a process. All writes go through {@link DbWriteConnection.transaction}; the
 * connection itself has no query methods, so passing it to a `:read` function is a compile error.
 *
 * Opening creates the file and its directories, sets `journal_mode=WAL`, `synchronous=NORMAL`,
 * `foreign_keys=ON` and `busy_timeout=0` (busy waits happen asynchronously, never on the event loop,
 * unless the writer is opened with a `blockingWaitMs` for a process that can afford one), then applies
 * pending migrations.
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
  readonly #blockingWaitMs: number;
  readonly #stats = {
    transactions: 0,
    commits: 0,
    rollbacks: 0,
    busyRetries: 0,
    busyTimeouts: 0,
    groupCommits: 0,
  };
  readonly #begin;
  readonly #commit;
  readonly #rollback;
  readonly #savepoint;
  readonly #release;
  readonly #rollbackTo;
  /** Calls waiting for the next group; non-empty only while {@link #draining}. */
  #queue: Queued[] = [];
  #draining = false;
  /** Settles when the queue last drained. */
  #idle: Promise<void> = Promise.resolve();
  #inBody = false;

  /** @internal Use {@link DbWriteConnection.open}. */
  constructor(token: typeof INTERNAL, db: Database, policy: RetryPolicy, blockingWaitMs: number) {
    assertInternal(token, 'DbWriteConnection');
    this.#db = db;
    this.#cache = new StatementCache(db);
    this.#policy = policy;
    this.#blockingWaitMs = blockingWaitMs;
    // Set last: opening, migrating and attaching wait asynchronously, whatever this writer does later.
    if (blockingWaitMs > 0) db.pragma(`busy_timeout = ${blockingWaitMs}`);
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
    this.#savepoint = db.prepare('SAVEPOINT msb_grouped');
    this.#release = db.prepare('RELEASE msb_grouped');
    this.#rollbackTo = db.prepare('ROLLBACK TO msb_grouped');
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
    const blockingWaitMs = resolveBlockingWait(options.blockingWaitMs);
    const connectPolicy = { ...policy, budgetMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS };
    const migrations = resolveMigrations(options.migrations);
    const db = openSqlite(path, { readonly: false, busyTimeoutMs: 0 });
    try {
      // Before anything changes the file: another program's database must be left exactly as it was.
      if (migrations !== null) await retryOnBusy(() => assertNotForeign(db, path), connectPolicy);
      await retryOnBusy(() => {
        const mode = db.pragma('journal_mode = WAL', { simple: true });
        if (mode !== 'wal')
          throw new Error(`${path}: could not switch to WAL (journal_mode is ${String(mode)})`);
      }, connectPolicy);
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      if (migrations !== null) await applyMigrations(db, path, migrations, connectPolicy);
      return new DbWriteConnection(INTERNAL, db, policy, blockingWaitMs);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * Opens the writer of a database that another process created and migrated, as a runtime opens its
   * host's: never creates the file, changes no journal mode and applies no migration.
   *
   * 1. Waits (asynchronously) up to `connectTimeoutMs` (default 30 s) for the file to exist and for its
   *    ledger to reach `schemaVersion` (default: the newest version among `schema/`'s file names; no
   *    schema file is read). `0` checks once.
   * 2. Fails with `DbOpenError` `DB_NOT_FOUND`, `DB_CONNECT_TIMEOUT` (never migrated that far) or
   *    `DB_SCHEMA_TOO_NEW`.
   * 3. Sets `synchronous=NORMAL` and `foreign_keys=ON` like {@link open}, and `busy_timeout` to `blockingWaitMs`.
   *
   * @example
   * ```ts
   * const write = await DbWriteConnection.attach(dbPathFor(home), { connectTimeoutMs: 5_000 });
   * ```
   */
  static async attach(path: string, options: DbAttachOptions = {}): Promise<DbWriteConnection> {
    const policy = resolveRetryPolicy(options.retry);
    const blockingWaitMs = resolveBlockingWait(options.blockingWaitMs);
    const expected = options.schemaVersion ?? latestSchemaVersion();
    const db = await waitForDatabase(path, {
      readonly: false,
      busyTimeoutMs: 0,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      neverCreates: 'attaching never creates it',
      ready: (candidate) => {
        // Only versions are compared: a process that attaches applies no migration, so it has no
        // checksums to check. No ledger is version 0.
        const version = readLedger(candidate)?.at(-1)?.version ?? 0;
        if (version > expected) {
          throw new DbOpenError(
            'DB_SCHEMA_TOO_NEW',
            path,
            `${path} is at schema version ${version}, newer than this code's ${expected}; upgrade msb`,
          );
        }
        if (version === expected) return true;
        return version === 0
          ? 'it has no schema yet'
          : `it is at schema version ${version}, older than this code's ${expected}`;
      },
    });
    try {
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      return new DbWriteConnection(INTERNAL, db, policy, blockingWaitMs);
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

  /** How long SQLite waits for the lock inside one attempt (`busy_timeout`); 0 unless opened with one. */
  get blockingWaitMs(): number {
    return this.#blockingWaitMs;
  }

  /** A copy of this writer's counters. */
  get stats(): WriteStats {
    return { ...this.#stats };
  }

  /**
   * Runs `fn` in a write transaction and returns a promise of its result.
   *
   * 1. `fn(tx)` runs synchronously between `BEGIN IMMEDIATE` and `COMMIT`; no transaction stays open
   *    across an `await`.
   * 2. With nothing queued, the call begins, runs `fn` and commits at once (the fast path).
   * 3. Calls made while earlier ones wait (a busy retry sleeping) queue in call order, and the queue runs
   *    as one group: one `BEGIN IMMEDIATE … COMMIT`, each `fn` inside its own `SAVEPOINT`. A `fn` that
   *    throws is rolled back to its savepoint and rejects alone; the others commit.
   * 4. A busy error (at `BEGIN`, in a body or at `COMMIT`) rolls the whole attempt back and reruns every
   *    `fn` of it after an async full-jitter sleep; a call whose policy budget has passed rejects with
   *    `DbBusyError` and nothing of it is committed. Other errors reject unchanged (a `SqliteError`
   *    keeps its class, code and stack).
   * 5. `fn` may run more than once, so it must be free of outside side effects. A `fn` that returns a
   *    promise is a `TypeError`. Calling `transaction()` from inside `fn` throws a `TypeError` there,
   *    so that `fn` rolls back and rejects with it.
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
    if (!this.#draining) {
      let value: T;
      // The budget counts from the call. Without a blocking wait the first attempt takes microseconds,
      // so the clock is read only once it failed; with one, that attempt may have waited its length.
      const calledAt = this.#blockingWaitMs > 0 ? monotonicMs() : undefined;
      try {
        value = this.#runAlone(fn);
      } catch (err) {
        if (isSqliteBusy(err)) {
          // The fast path met a busy lock: this call heads a new queue, which drains after a sleep.
          const queued = this.#enqueue(fn, calledAt ?? monotonicMs());
          this.#draining = true;
          this.#idle = this.#drain(err);
          return queued;
        }
        this.#stats.transactions++;
        return Promise.reject(err);
      }
      this.#stats.transactions++;
      return Promise.resolve(value);
    }
    return this.#enqueue(fn, monotonicMs());
  }

  /**
   * Whether another connection holds the database's write lock right now: a `BEGIN IMMEDIATE` that fails
   * with `SQLITE_BUSY` at once (this probe never waits in SQLite, whatever `blockingWaitMs` is), rolled
   * back at once if it succeeds.
   * True as well while this writer's own queue waits out a busy lock. For a caller telling a process
   * that is stuck from one that only waits for the lock; not from inside a transaction body.
   *
   * @example
   * ```ts
   * if (write.isLockedElsewhere()) console.error('the database is busy: another process holds its write lock');
   * ```
   */
  isLockedElsewhere(): boolean {
    if (this.#inBody) throw new TypeError('isLockedElsewhere() called inside a transaction body');
    if (this.#draining) return true;
    // The answer must be immediate: a blocking wait would report the lock free once it was released.
    if (this.#blockingWaitMs > 0) this.#db.pragma('busy_timeout = 0');
    try {
      this.#begin.run();
    } catch (err) {
      if (isSqliteBusy(err)) return true;
      throw err;
    } finally {
      if (this.#blockingWaitMs > 0) this.#db.pragma(`busy_timeout = ${this.#blockingWaitMs}`);
    }
    this.#rollback.run();
    return false;
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
    await this.#idle;
    if (this.#db.open) this.#db.close();
  }

  #enqueue<T>(fn: (tx: DbWriteTransaction) => T, started: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, started, attempts: 0, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  /** Runs the queue, a group at a time, until it is empty, backing off from `busy` first. */
  async #drain(busy: unknown): Promise<void> {
    try {
      let failure: unknown = busy;
      while (this.#queue.length > 0) {
        if (failure !== undefined) {
          const delayMs = this.#backOff(failure);
          if (delayMs === undefined) {
            failure = undefined;
            continue;
          }
          await sleep(delayMs);
        }
        const group = this.#queue;
        this.#queue = [];
        failure = this.#runGroup(group);
        // A busy group goes back to the head, before anything queued while it ran.
        if (failure !== undefined) this.#queue = group.concat(this.#queue);
      }
    } finally {
      this.#draining = false;
    }
  }

  /**
   * Counts a busy attempt of the queued calls; rejects those whose budget has passed and returns the
   * sleep before the next attempt (undefined: nobody is left to wait for).
   */
  #backOff(failure: unknown): number | undefined {
    const now = monotonicMs();
    const waiting: Queued[] = [];
    for (const item of this.#queue) {
      item.attempts++;
      const elapsedMs = now - item.started;
      if (elapsedMs >= this.#policy.budgetMs) {
        this.#stats.busyTimeouts++;
        this.#stats.transactions++;
        item.reject(new DbBusyError(item.attempts, elapsedMs, failure));
      } else {
        waiting.push(item);
      }
    }
    this.#queue = waiting;
    const head = waiting[0];
    if (head === undefined) return undefined;
    this.#stats.busyRetries++;
    // Never sleep past the head's budget: its last attempt happens right at its end.
    const left = this.#policy.budgetMs - (now - head.started);
    return Math.min(backoffDelayMs(this.#policy, head.attempts), left);
  }

  /** One attempt of a lone call: its value, or the error it failed with (rolled back). */
  #runAlone<T>(fn: (tx: DbWriteTransaction) => T): T {
    this.#begin.run();
    const state: TransactionState = { active: true };
    try {
      const value = this.#runBody(fn, state);
      this.#commit.run();
      this.#stats.commits++;
      return value;
    } catch (err) {
      this.#rollbackAll();
      throw err;
    } finally {
      state.active = false;
    }
  }

  /**
   * One attempt of a group of queued calls in one transaction. Settles every call and returns
   * undefined, or settles none and returns the busy error that calls for a retry of all.
   */
  #runGroup(group: Queued[]): unknown {
    if (group.length === 1) {
      const item = group[0]!;
      try {
        this.#settle(item, { kind: 'value', value: this.#runAlone(item.fn) });
      } catch (err) {
        if (isSqliteBusy(err)) return err;
        this.#settle(item, { kind: 'error', error: err });
      }
      return undefined;
    }
    try {
      this.#begin.run();
    } catch (err) {
      if (isSqliteBusy(err)) return err;
      for (const item of group) this.#settle(item, { kind: 'error', error: err });
      return undefined;
    }
    const outcomes: Settled[] = [];
    for (let i = 0; i < group.length; i++) {
      const state: TransactionState = { active: true };
      this.#savepoint.run();
      try {
        outcomes.push({ kind: 'value', value: this.#runBody(group[i]!.fn, state) });
        this.#release.run();
      } catch (err) {
        if (isSqliteBusy(err) || !this.#db.inTransaction) {
          // Busy, or SQLite rolled the whole transaction back itself (SQLITE_FULL, SQLITE_IOERR, ...):
          // the bodies before this one lost their writes too. A busy error retries the group; any
          // other rejects this call alone and reruns the rest of the group at once.
          this.#rollbackAll();
          if (isSqliteBusy(err)) return err;
          this.#settle(group[i]!, { kind: 'error', error: err });
          this.#queue = group.filter((_, j) => j !== i).concat(this.#queue);
          return undefined;
        }
        this.#rollbackTo.run();
        this.#release.run();
        this.#stats.rollbacks++;
        outcomes.push({ kind: 'error', error: err });
      } finally {
        state.active = false;
      }
    }
    try {
      this.#commit.run();
    } catch (err) {
      this.#rollbackAll();
      if (isSqliteBusy(err)) return err;
      for (const item of group) this.#settle(item, { kind: 'error', error: err });
      return undefined;
    }
    this.#stats.groupCommits++;
    for (let i = 0; i < group.length; i++) {
      const outcome = outcomes[i]!;
      if (outcome.kind === 'value') this.#stats.commits++;
      this.#settle(group[i]!, outcome);
    }
    return undefined;
  }

  #runBody<T>(fn: (tx: DbWriteTransaction) => T, state: TransactionState): T {
    this.#inBody = true;
    let value: T;
    try {
      value = fn(new DbWriteTransaction(INTERNAL, this.#cache, state));
    } finally {
      this.#inBody = false;
    }
    assertNotThenable(value, 'transaction()');
    return value;
  }

  #rollbackAll(): void {
    // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR, ...); a second
    // ROLLBACK would throw and hide the original error.
    if (this.#db.inTransaction) this.#rollback.run();
    this.#stats.rollbacks++;
  }

  #settle(item: Queued, outcome: Settled): void {
    this.#stats.transactions++;
    if (outcome.kind === 'error') item.reject(outcome.error);
    else item.resolve(outcome.value);
  }
}

/** A queued `transaction()` call. */
interface Queued {
  readonly fn: (tx: DbWriteTransaction) => unknown;
  /** When the call was made: its retry budget runs from there. */
  readonly started: number;
  /** Busy attempts so far. */
  attempts: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** What a call came to. */
type Settled =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'error'; readonly error: unknown };

function resolveBlockingWait(ms: number | undefined): number {
  if (ms === undefined) return 0;
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > 60_000) {
    throw new RangeError(
      `blockingWaitMs must be a whole number of milliseconds from 0 to 60000, got ${String(ms)}`,
    );
  }
  return ms;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
