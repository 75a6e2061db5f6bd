import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DbOpenError } from './db-open-error.js';
import { isSqliteBusy } from './is-sqlite-busy.js';
import { monotonicMs } from './monotonic-ms.js';
import { createPrivateFile, makePrivateDir } from './private-files.js';

const POLL_MS = 50;

/**
 * Refuses paths the driver would turn into a private database (`''` is a temp file, `:memory:` lives in
 * this connection only): the whole point of msb's database is that processes share one file.
 */
export function assertDatabasePath(path: string): void {
  if (typeof path !== 'string' || path.trim() === '' || path === ':memory:') {
    throw new TypeError(
      `database path must name a file shared between processes, got ${JSON.stringify(path)}`,
    );
  }
}

/** The low-level open, private to `src/db`: the only place that calls the driver's constructor. */
export function openSqlite(
  path: string,
  options: { readonly readonly: boolean; readonly busyTimeoutMs: number; readonly create?: boolean },
): Database.Database {
  assertDatabasePath(path);
  const create = options.create ?? !options.readonly;
  if (create) {
    // SQLite would create the file 0644 minus the umask; its -wal and -shm files copy the file's mode.
    makePrivateDir(dirname(path));
    createPrivateFile(path);
  }
  const db = new Database(path, { readonly: options.readonly, fileMustExist: options.readonly || !create });
  try {
    db.pragma(`busy_timeout = ${Math.round(options.busyTimeoutMs)}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Opens an existing database once `ready(db)` accepts it, polling asynchronously up to
 * `connectTimeoutMs`; never creates the file. `ready` returns `true`, or what is still missing (quoted
 * in the timeout's message), or throws to refuse the file outright. A busy database is waited for.
 */
export async function waitForDatabase(
  path: string,
  options: {
    readonly readonly: boolean;
    readonly busyTimeoutMs: number;
    readonly connectTimeoutMs: number;
    /** Why the file is never created, for the `DB_NOT_FOUND` message. */
    readonly neverCreates: string;
    readonly ready: (db: Database.Database) => true | string;
  },
): Promise<Database.Database> {
  assertDatabasePath(path);
  const deadline = monotonicMs() + options.connectTimeoutMs;
  let lastProblem = 'it has no schema yet';
  for (;;) {
    const exists = existsSync(path);
    if (exists) {
      const db = openSqlite(path, {
        readonly: options.readonly,
        busyTimeoutMs: options.busyTimeoutMs,
        create: false,
      });
      let verdict: true | string;
      try {
        verdict = options.ready(db);
      } catch (err) {
        db.close();
        if (!isSqliteBusy(err)) throw err;
        verdict = 'it stayed busy';
      }
      if (verdict === true) return db;
      if (db.open) db.close();
      lastProblem = verdict;
    }
    // One reading of the clock decides: with two, a deadline passing between them reported a file that
    // never existed as one that was not ready.
    const remaining = deadline - monotonicMs();
    if (remaining <= 0) {
      if (!exists) {
        throw new DbOpenError(
          'DB_NOT_FOUND',
          path,
          `database ${path} does not exist (${options.neverCreates}; open a DbWriteConnection or DbPools first)`,
        );
      }
      throw new DbOpenError(
        'DB_CONNECT_TIMEOUT',
        path,
        `database ${path} was not ready within ${options.connectTimeoutMs} ms: ${lastProblem}`,
      );
    }
    // A plain timer, not node:timers/promises: a runtime loads nothing it does not need (0.1 ms of CPU).
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, remaining)));
  }
}
