import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** The low-level open, private to `src/db`: the only place that calls the driver's constructor. */
export function openSqlite(
  path: string,
  options: { readonly readonly: boolean; readonly busyTimeoutMs: number },
): Database.Database {
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
