import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

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
  options: { readonly readonly: boolean; readonly busyTimeoutMs: number },
): Database.Database {
  assertDatabasePath(path);
  if (!options.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: options.readonly, fileMustExist: options.readonly });
  try {
    db.pragma(`busy_timeout = ${Math.round(options.busyTimeoutMs)}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
