import type { Database } from 'better-sqlite3';
import { waitForDatabase } from './connection-builder.js';
import {
  type DbOpenOptions,
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
} from './db-open-options.js';
import { assertInternal, assertNotThenable, INTERNAL } from './internal.js';
import { resolveMigrations } from './migration.js';
import { pendingMigrations, readLedger } from './migrator.js';
import type { BindParams, RowMode } from './sql-types.js';
import { StatementCache } from './statement-cache.js';

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
    const migrations = resolveMigrations(options.migrations);
    const db = await waitForDatabase(path, {
      readonly: true,
      busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      neverCreates: 'read-only connections never create it',
      ready: (candidate) => {
        if (migrations === null) return true;
        const ledger = readLedger(candidate);
        if (ledger === undefined) return 'it has no schema yet';
        // Throws for a database newer than the code or a migration changed after it was applied.
        return (
          pendingMigrations(path, ledger, migrations).length === 0 || 'its schema is older than this code'
        );
      },
    });
    return new DbReadConnection(INTERNAL, db);
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
