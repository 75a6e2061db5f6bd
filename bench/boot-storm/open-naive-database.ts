import Database from 'better-sqlite3';

/** The naive port's blocking busy wait: SQLite's own busy handler, for up to 5 s, and no retry after. */
const NAIVE_BUSY_TIMEOUT_MS = 5000;

/**
 * A connection as the naive port opens one, in every bench that runs it (the boot storm's host and
 * runtime, the database-bound storm's host and worker, the lock-handoff worker): raw better-sqlite3 on
 * a file that must exist, `busy_timeout` {@link NAIVE_BUSY_TIMEOUT_MS}, `synchronous=NORMAL`,
 * `foreign_keys=ON`. One definition, so the naive side cannot differ from one bench to the next.
 *
 * @example
 * ```ts
 * const db = openNaiveDatabase(dbPathFor(home));
 * db.transaction(() => db.prepare(NAIVE_SQL.insertRuntimeMetric).run(metric))();
 * ```
 */
export function openNaiveDatabase(path: string): Database.Database {
  const db = new Database(path, { fileMustExist: true, timeout: NAIVE_BUSY_TIMEOUT_MS });
  try {
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
