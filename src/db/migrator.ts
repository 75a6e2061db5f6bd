import type { Database } from 'better-sqlite3';
import { DbOpenError } from './db-open-error.js';
import type { Migration } from './migration.js';
import { type RetryHooks, retryOnBusy } from './retry-on-busy.js';
import type { RetryPolicy } from './retry-policy.js';

/** The ledger of applied migrations. Leading underscore: it is ours, not the domain's. */
export const LEDGER_TABLE = '_msb_migrations';

const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT`;

interface LedgerRow {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
}

/** The applied migrations, or `undefined` when the ledger does not exist yet. */
export function readLedger(db: Database): readonly LedgerRow[] | undefined {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?")
    .pluck()
    .get(LEDGER_TABLE);
  if (exists === undefined) return undefined;
  return db
    .prepare(`SELECT version, name, checksum FROM ${LEDGER_TABLE} ORDER BY version`)
    .all() as LedgerRow[];
}

/**
 * Compares the ledger with the code's migrations: returns the pending ones, or throws when the database
 * is newer than the code or an applied migration was edited.
 */
export function pendingMigrations(
  path: string,
  ledger: readonly LedgerRow[],
  migrations: readonly Migration[],
): readonly Migration[] {
  const known = new Map(migrations.map((m) => [m.version, m]));
  const newest = migrations.at(-1)?.version ?? 0;
  for (const row of ledger) {
    if (row.version > newest) {
      throw new DbOpenError(
        'DB_SCHEMA_TOO_NEW',
        path,
        `${path} is at schema version ${ledger.at(-1)?.version} (${row.name}), newer than this code's ${newest}; upgrade msb`,
      );
    }
    const mine = known.get(row.version);
    if (mine !== undefined && mine.checksum !== row.checksum) {
      throw new DbOpenError(
        'DB_MIGRATION_INVALID',
        path,
        `${path}: migration ${mine.name} was changed after it was applied as ${row.name}; add a new migration instead`,
      );
    }
  }
  const applied = new Set(ledger.map((row) => row.version));
  return migrations.filter((m) => !applied.has(m.version));
}

/**
 * Applies the pending migrations together inside one `BEGIN IMMEDIATE` (all or none), each recorded in the
 * ledger.
 *
 * Safe when many processes open the same file at once: the check happens again under the write lock,
 * so each file is applied exactly once; a busy lock is retried asynchronously within `policy`.
 * Returns the names applied by this call.
 */
export async function applyMigrations(
  db: Database,
  path: string,
  migrations: readonly Migration[],
  policy: RetryPolicy,
  hooks: RetryHooks = {},
): Promise<readonly string[]> {
  // Fast path without the write lock: an up-to-date database costs one read. The read can meet a busy
  // database too (another process recovering the WAL), so it waits like the write does.
  const before = await retryOnBusy(() => readLedger(db), policy, hooks);
  if (before !== undefined && pendingMigrations(path, before, migrations).length === 0) return [];

  return retryOnBusy(
    () => {
      const applied: string[] = [];
      db.exec('BEGIN IMMEDIATE');
      try {
        assertNotForeign(db, path);
        db.exec(CREATE_LEDGER);
        const pending = pendingMigrations(path, readLedger(db) ?? [], migrations);
        const record = db.prepare(
          `INSERT INTO ${LEDGER_TABLE} (version, name, checksum, applied_at) VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`,
        );
        for (const m of pending) {
          try {
            db.exec(m.sql);
          } catch (err) {
            (err as Error).message = `${m.name}: ${(err as Error).message}`;
            throw err;
          }
          record.run(m.version, m.name, m.checksum);
          applied.push(m.name);
        }
        db.exec('COMMIT');
        return applied;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
    },
    policy,
    hooks,
  );
}

/**
 * Refuses a database that has tables but no ledger: another program's (upstream microsandbox keeps
 * its own at the same `<home>/db/msb.db`), which the migrations would change or collide with.
 */
export function assertNotForeign(db: Database, path: string): void {
  if (readLedger(db) !== undefined) return;
  const tables = db
    .prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .pluck()
    .all() as string[];
  if (tables.length === 0) return;
  const shown = tables.length > 5 ? `${tables.slice(0, 5).join(', ')}, …` : tables.join(', ');
  throw new DbOpenError(
    'DB_FOREIGN',
    path,
    `${path} is not an msb database: it has tables (${shown}) but no ${LEDGER_TABLE} ledger; msb leaves it unchanged (move it away, or set MSB_HOME to another directory)`,
  );
}

/** The newest applied version, or 0. */
export function schemaVersion(db: Database): number {
  return readLedger(db)?.at(-1)?.version ?? 0;
}
