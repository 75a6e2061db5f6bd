import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from 'better-sqlite3';
import { assertDatabasePath, openSqlite } from './connection-builder.js';
import { DbOpenError } from './db-open-error.js';
import {
  type DbOpenOptions,
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
} from './db-open-options.js';
import { assertInternal, assertNotThenable, INTERNAL } from './internal.js';
import { isSqliteBusy } from './is-sqlite-busy.js';
import { resolveMigrations } from './migration.js';
import { pendingMigrations, readLedger } from './migrator.js';
import type { BindParams, RowMode } from './sql-types.js';
import { StatementCache } from './statement-cache.js';

const POLL_MS = 50;

/**
 * A read-only connection. Opening never creates the file; a write through it fails with
 * `SQLITE_READONLY`. Calls are synchronous and statements are prepared once and cached.
 *
 * Generated `:read` functions take this type (or a `DbWriteTransaction`); `:write` functions refuse it
 * at compile time.
 *
 * @example
 * ```ts
 * const read = await DbReadConnection.open(dbPathFor(msbHome()));
 * const run = loadActiveRun(read, { sandboxId: 1 });
 * read.close();
 * ```
 */
export class DbReadConnection {
  readonly #db: Database;
  readonly #cache: StatementCache;

  /** @internal Use {@link DbReadConnection.open}. */
  constructor(token: typeof INTERNAL, db: Database) {
    assertInternal(token, 'DbReadConnection');
    this.#db = db;
    this.#cache = new StatementCache(db);
  }

  /**
   * Opens a read-only connection once the file exists and carries the code's schema.
   *
   * 1. Polls (asynchronously) for up to `connectTimeoutMs` (default 30 s) for the file to exist and for
   *    every expected migration to be applied; `0` checks once.
   * 2. Fails with `DbOpenError` `DB_NOT_FOUND` (no file; nothing is created), `DB_CONNECT_TIMEOUT`
   *    (never migrated) or `DB_SCHEMA_TOO_NEW`.
   *
   * @example
   * ```ts
   * const read = await DbReadConnection.open('/tmp/msb.db', { connectTimeoutMs: 0 });
   * ```
   */
  static async open(path: string, options: DbOpenOptions = {}): Promise<DbReadConnection> {
    assertDatabasePath(path);
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const migrations = resolveMigrations(options.migrations);
    const deadline = performance.now() + connectTimeoutMs;
    let lastProblem = 'the database was never migrated';
    for (;;) {
      if (existsSync(path)) {
        const db = openSqlite(path, { readonly: true, busyTimeoutMs });
        try {
          const ledger = migrations === null ? [] : readLedger(db);
          if (
            ledger !== undefined &&
            (migrations === null || pendingMigrations(path, ledger, migrations).length === 0)
          ) {
            return new DbReadConnection(INTERNAL, db);
          }
          lastProblem = ledger === undefined ? 'it has no schema yet' : 'its schema is older than this code';
          db.close();
        } catch (err) {
          db.close();
          if (!isSqliteBusy(err)) throw err;
          lastProblem = 'it stayed busy';
        }
      } else if (performance.now() >= deadline) {
        throw new DbOpenError(
          'DB_NOT_FOUND',
          path,
          `database ${path} does not exist (read-only connections never create it; open a DbWriteConnection or DbPools first)`,
        );
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        throw new DbOpenError(
          'DB_CONNECT_TIMEOUT',
          path,
          `database ${path} was not ready within ${connectTimeoutMs} ms: ${lastProblem}`,
        );
      }
      await sleep(Math.min(POLL_MS, remaining));
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

  /**
   * Runs a cached statement and returns its first row, or `undefined`.
   *
   * @example
   * ```ts
   * const row = read.get<{ n: number }>('SELECT count(*) AS n FROM sandbox');
   * ```
   */
  get<R>(sql: string, params?: BindParams, mode: RowMode = 'object'): R | undefined {
    return this.#cache.get(sql, params, mode) as R | undefined;
  }

  /**
   * Runs a cached statement and returns every row.
   *
   * @example
   * ```ts
   * const names = read.all<string>('SELECT name FROM sandbox ORDER BY name', undefined, 'pluck');
   * ```
   */
  all<R>(sql: string, params?: BindParams, mode: RowMode = 'object'): R[] {
    return this.#cache.all(sql, params, mode) as R[];
  }

  /**
   * Runs several reads in one snapshot (deferred `BEGIN … COMMIT`), so they see one committed state.
   *
   * 1. `fn` must be synchronous; a returned promise is a `TypeError` (the snapshot is ended first).
   * 2. Inside another snapshot, `fn` simply joins it.
   *
   * @example
   * ```ts
   * const [record, run] = read.snapshot((r) => [selectSandboxByName(r, { name }), selectActiveRun(r, { sandboxId })]);
   * ```
   */
  snapshot<T>(fn: (conn: DbReadConnection) => T & (T extends PromiseLike<unknown> ? never : unknown)): T {
    if (this.#db.inTransaction) {
      const result = fn(this);
      assertNotThenable(result, 'snapshot()');
      return result;
    }
    this.#db.exec('BEGIN');
    try {
      const result = fn(this);
      assertNotThenable(result, 'snapshot()');
      this.#db.exec('COMMIT');
      return result;
    } finally {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
    }
  }

  /**
   * Closes the connection; later calls throw the driver's `TypeError`.
   *
   * @example
   * ```ts
   * read.close();
   * ```
   */
  close(): void {
    this.#db.close();
  }
}
