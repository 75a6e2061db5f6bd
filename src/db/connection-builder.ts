import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { DbOpenError } from './db-open-error.js';
import { isSqliteBusy } from './is-sqlite-busy.js';
import { readLedger } from './migrator.js';

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
  if (create) mkdirSync(dirname(path), { recursive: true });
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
 * Opens an existing database once its ledger reaches `schemaVersion`, polling asynchronously up to
 * `connectTimeoutMs`; never creates the file. Only the ledger's versions are compared (a process that
 * attaches applies no migration, so it has no checksums to check).
 */
export async function waitForSchema(
  path: string,
  options: {
    readonly readonly: boolean;
    readonly busyTimeoutMs: number;
    readonly schemaVersion: number;
    readonly connectTimeoutMs: number;
  },
): Promise<Database.Database> {
  assertDatabasePath(path);
  const deadline = performance.now() + options.connectTimeoutMs;
  let lastProblem = 'it has no schema yet';
  for (;;) {
    if (existsSync(path)) {
      const db = openSqlite(path, { ...options, create: false });
      let version: number | undefined;
      try {
        // No ledger is version 0: nothing was migrated yet.
        version = readLedger(db)?.at(-1)?.version ?? 0;
      } catch (err) {
        db.close();
        if (!isSqliteBusy(err)) throw err;
        lastProblem = 'it stayed busy';
      }
      if (version === options.schemaVersion) return db;
      if (db.open) db.close();
      if (version !== undefined && version > options.schemaVersion) {
        throw new DbOpenError(
          'DB_SCHEMA_TOO_NEW',
          path,
          `${path} is at schema version ${version}, newer than this code's ${options.schemaVersion}; upgrade msb`,
        );
      }
      if (version === 0) lastProblem = 'it has no schema yet';
      else if (version !== undefined) {
        lastProblem = `it is at schema version ${version}, older than this code's ${options.schemaVersion}`;
      }
    } else if (performance.now() >= deadline) {
      throw new DbOpenError(
        'DB_NOT_FOUND',
        path,
        `database ${path} does not exist (attaching never creates it; open a DbWriteConnection or DbPools first)`,
      );
    }
    const remaining = deadline - performance.now();
    if (remaining <= 0) {
      throw new DbOpenError(
        'DB_CONNECT_TIMEOUT',
        path,
        `database ${path} was not ready within ${options.connectTimeoutMs} ms: ${lastProblem}`,
      );
    }
    await sleep(Math.min(POLL_MS, remaining));
  }
}
