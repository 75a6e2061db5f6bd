import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { BadInputCase, BadInputCommand } from '../support/bad-input.js';

const MSB_MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const HOLD_LOCK = fileURLToPath(new URL('../fixtures/db/hold-write-lock.mjs', import.meta.url));
/** The database file as messages name it. */
const DB = String.raw`database \S+/db/msb\.db`;

const dbPath = (dir: string): string => join(dir, 'db', 'msb.db');

/** A home whose database msb created and migrated (one volume in it), all of it in the main file. */
function migratedHome(dir: string): Database.Database {
  execFileSync(process.execPath, [MSB_MAIN, 'volume', 'create', 'v'], {
    env: { ...process.env, MSB_HOME: dir },
    stdio: 'pipe',
  });
  const db = new Database(dbPath(dir));
  db.pragma('wal_checkpoint(TRUNCATE)');
  return db;
}

/** Runs `sql` on a freshly migrated home's database, then closes it. */
function alter(dir: string, sql: string): void {
  const db = migratedHome(dir);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

/** Overwrites `bytes` at `offset` of the home's database. */
function overwrite(dir: string, offset: number, bytes: Buffer): void {
  const fd = openSync(dbPath(dir), 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

/**
 * Starts a process holding the database's write lock for `holdMs` (then it commits and exits by
 * itself), and resolves once it holds it.
 */
function holdLock(dir: string, holdMs: number, mode?: 'exclusive'): Promise<void> {
  const child = spawn(process.execPath, [HOLD_LOCK, dbPath(dir), String(holdMs), ...(mode ? [mode] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`lock holder exited (${code}) before locking`)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (!chunk.includes('locked')) return;
      child.removeAllListeners('exit');
      child.stdout.destroy();
      child.unref();
      resolve();
    });
  });
}

function database(
  name: string,
  prepare: (dir: string) => void | Promise<void>,
  args: readonly string[],
  message: RegExp,
  exitCode = 1,
): BadInputCase {
  return {
    area: 'database',
    name,
    prepare: async (dir): Promise<BadInputCommand> => {
      await prepare(dir);
      return { program: 'msb', args };
    },
    exitCode,
    message,
  };
}

const re = (source: string): RegExp => new RegExp(source);

/** Bad `$MSB_HOME/db/msb.db` situations: each exit 1 with a message naming the database file. */
export const cases: readonly BadInputCase[] = [
  database(
    'a text file',
    (dir) => {
      mkdirSync(join(dir, 'db'));
      writeFileSync(dbPath(dir), 'notes: not a database\n');
    },
    ['ls'],
    re(`${DB}: file is not a database \\[SQLITE_NOTADB\\]`),
  ),
  database(
    'an SQLite header with an impossible page size',
    (dir) => {
      migratedHome(dir).close();
      overwrite(dir, 16, Buffer.from([0x00, 0x03]));
    },
    ['volume', 'ls'],
    re(`${DB}: file is not a database \\[SQLITE_NOTADB\\]`),
  ),
  database(
    'a database truncated to three pages',
    (dir) => {
      migratedHome(dir).close();
      truncateSync(dbPath(dir), 12_288);
    },
    ['volume', 'ls'],
    re(`${DB}: database disk image is malformed \\[SQLITE_CORRUPT\\]`),
  ),
  database(
    'a page overwritten with garbage',
    (dir) => {
      migratedHome(dir).close();
      overwrite(dir, 4096, Buffer.alloc(4096, 0xaa));
    },
    ['volume', 'ls'],
    re(`${DB}: database disk image is malformed \\[SQLITE_CORRUPT\\]`),
  ),
  database(
    'a schema newer than the code',
    (dir) => alter(dir, "INSERT INTO _msb_migrations VALUES (99, '0099_future.sql', 'x', 'now')"),
    ['ls'],
    /\/db\/msb\.db is at schema version 99 \(0099_future\.sql\), newer than this code's \d+; upgrade msb \[DB_SCHEMA_TOO_NEW\]/,
  ),
  database(
    'a migration ledger with a changed checksum',
    (dir) => alter(dir, "UPDATE _msb_migrations SET checksum = '0000' WHERE version = 1"),
    ['ls'],
    /\/db\/msb\.db: migration 0001_init\.sql was changed after it was applied .*\[DB_MIGRATION_INVALID\]/,
  ),
  database(
    "another program's database (upstream microsandbox's tables)",
    (dir) => {
      mkdirSync(join(dir, 'db'));
      const db = new Database(dbPath(dir));
      db.exec(
        'CREATE TABLE sandbox (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE seaql_migrations (v TEXT)',
      );
      db.close();
    },
    ['ls'],
    /\/db\/msb\.db is not an msb database: it has tables \(sandbox, seaql_migrations\) but no _msb_migrations ledger.*\[DB_FOREIGN\]/,
  ),
  database(
    'a ledger missing a migration whose tables exist',
    (dir) => alter(dir, 'DELETE FROM _msb_migrations WHERE version = 1'),
    ['ls'],
    re(`${DB}: 0001_init\\.sql: table sandbox already exists \\[SQLITE_ERROR\\]`),
  ),
  database(
    'a table dropped behind msb',
    (dir) => alter(dir, 'PRAGMA foreign_keys = OFF; DROP TABLE volume'),
    ['volume', 'ls'],
    re(`${DB}: no such table: volume \\[SQLITE_ERROR\\]`),
  ),
  database(
    'a migration ledger with other columns',
    (dir) =>
      alter(
        dir,
        'DROP TABLE _msb_migrations; CREATE TABLE _msb_migrations (version INTEGER); INSERT INTO _msb_migrations VALUES (1)',
      ),
    ['ls'],
    re(`${DB}: no such column: name \\[SQLITE_ERROR\\]`),
  ),
  database(
    'a directory in place of the file',
    (dir) => {
      mkdirSync(dbPath(dir), { recursive: true });
    },
    ['ls'],
    re(`${DB}: unable to open database file \\[SQLITE_CANTOPEN\\]`),
  ),
  database(
    'a dangling symlink',
    (dir) => {
      mkdirSync(join(dir, 'db'));
      symlinkSync(join(dir, 'moved', 'msb.db'), dbPath(dir));
    },
    ['ls'],
    re(`${DB}: unable to open database file \\[SQLITE_CANTOPEN\\]`),
  ),
  database(
    'a symlink to itself',
    (dir) => {
      mkdirSync(join(dir, 'db'));
      symlinkSync('msb.db', dbPath(dir));
    },
    ['ls'],
    re(`${DB}: unable to open database file \\[SQLITE_CANTOPEN\\]`),
  ),
  database(
    'a named pipe in place of the file',
    (dir) => {
      mkdirSync(join(dir, 'db'));
      execFileSync('mkfifo', [dbPath(dir)]);
    },
    ['ls'],
    re(`${DB}: disk I/O error \\[SQLITE_IOERR_READ\\]`),
  ),
  database(
    'a directory in place of the -wal file',
    (dir) => {
      migratedHome(dir).close();
      mkdirSync(`${dbPath(dir)}-wal`);
    },
    ['ls'],
    re(`${DB}: unable to open database file \\[SQLITE_CANTOPEN\\]`),
  ),
  database(
    'a file in place of the db directory',
    (dir) => writeFileSync(join(dir, 'db'), ''),
    ['ls'],
    /EEXIST: file already exists, mkdir '\S+\/db' \[EEXIST\]/,
  ),
  database(
    'a database file format this SQLite may only read',
    (dir) => {
      migratedHome(dir).close();
      // The header's write version 3: SQLite opens such a file read-only.
      overwrite(dir, 18, Buffer.from([3]));
    },
    ['volume', 'create', 'new'],
    re(`volume "new": ${DB}: attempt to write a readonly database \\[SQLITE_READONLY\\]`),
  ),
  database(
    'a write lock held past the busy budget',
    async (dir) => {
      alter(
        dir,
        `INSERT INTO sandbox (name, config, status) VALUES ('web', '{"command":"true","args":[],"env":{},"workingDir":null,"image":null,"metricsIntervalMs":null}', 'Stopped')`,
      );
      await holdLock(dir, 16_000);
    },
    ['rm', 'web'],
    re(
      `^msb: sandbox "web": ${DB} stayed busy for \\d+ ms over \\d+ attempts \\(last: SQLITE_BUSY: database is locked\\) \\[DB_BUSY\\]`,
    ),
  ),
  database(
    'an exclusive lock held by another process',
    async (dir) => {
      migratedHome(dir).close();
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ database: { connect_timeout_secs: 1 } }));
      await holdLock(dir, 8_000, 'exclusive');
    },
    ['ls'],
    re(
      `^msb: ${DB} stayed busy for \\d+ ms over \\d+ attempts \\(last: SQLITE_BUSY: database is locked\\) \\[DB_BUSY\\]`,
    ),
  ),
  database(
    'a sandbox row whose config is not a sandbox config',
    (dir) =>
      alter(dir, `INSERT INTO sandbox (name, config, status) VALUES ('web', '{"command":5}', 'Stopped')`),
    ['ls'],
    /sandbox "web": config key "command" must be a non-empty string; once stopped it can still be removed \[SANDBOX_CONFIG_INVALID\]/,
  ),
];
