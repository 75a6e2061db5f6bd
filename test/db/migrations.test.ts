import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  DbOpenError,
  DbPools,
  DbReadConnection,
  DbWriteConnection,
  LEDGER_TABLE,
  loadMigrations,
  migration,
  projectSchemaDir,
} from '../../src/db/index.js';
import { makeTempDir, openTestPools } from '../support/open-test-pools.js';
import { thrownBy } from '../support/thrown-by.js';

const { SqliteError } = Database;

/** A schema directory holding the given files. */
function schemaDir(files: Record<string, string>): string {
  const dir = makeTempDir('msb-schema-');
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

/** Each migration appends its own name to `applied`, so the table shows order and count of runs. */
const ORDERED = {
  '10_last.sql': `INSERT INTO applied (name) VALUES ('10_last');`,
  '2_second.sql': `ALTER TABLE applied ADD COLUMN note TEXT; INSERT INTO applied (name) VALUES ('2_second');`,
  '1_first.sql': `CREATE TABLE applied (seq INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT;
INSERT INTO applied (name) VALUES ('1_first');`,
};

function plain(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  onTestFinished(() => {
    db.close();
  });
  return db;
}

function ledger(path: string): { version: number; name: string }[] {
  return plain(path).prepare(`SELECT version, name FROM ${LEDGER_TABLE} ORDER BY version`).all() as {
    version: number;
    name: string;
  }[];
}

async function openWriter(path: string, dir: string): Promise<DbWriteConnection> {
  const write = await DbWriteConnection.open(path, {
    migrations: loadMigrations(dir),
    connectTimeoutMs: 2_000,
  });
  onTestFinished(() => write.close());
  return write;
}

describe('migrations', () => {
  it('should apply files in numeric version order and record each in the ledger', async () => {
    const dir = schemaDir(ORDERED);
    const path = join(makeTempDir('msb-mig-'), 'msb.db');
    expect(loadMigrations(dir).map((m) => m.version)).toEqual([1, 2, 10]);
    await openWriter(path, dir);
    expect(plain(path).prepare('SELECT name FROM applied ORDER BY seq').pluck().all()).toEqual([
      '1_first',
      '2_second',
      '10_last',
    ]);
    expect(ledger(path)).toEqual([
      { version: 1, name: '1_first.sql' },
      { version: 2, name: '2_second.sql' },
      { version: 10, name: '10_last.sql' },
    ]);
  });

  it('should apply nothing on a second open, and only a newly added file on a third', async () => {
    const dir = schemaDir(ORDERED);
    const path = join(makeTempDir('msb-mig-'), 'msb.db');
    await (await openWriter(path, dir)).close();
    const firstLedger = plain(path).prepare(`SELECT * FROM ${LEDGER_TABLE} ORDER BY version`).all();
    await (await openWriter(path, dir)).close();
    expect(plain(path).prepare(`SELECT * FROM ${LEDGER_TABLE} ORDER BY version`).all()).toEqual(firstLedger);
    expect(plain(path).prepare('SELECT count(*) FROM applied').pluck().get()).toBe(3);

    writeFileSync(join(dir, '11_more.sql'), `INSERT INTO applied (name) VALUES ('11_more');`);
    await openWriter(path, dir);
    expect(plain(path).prepare('SELECT name FROM applied ORDER BY seq').pluck().all()).toEqual([
      '1_first',
      '2_second',
      '10_last',
      '11_more',
    ]);
    expect(ledger(path).map((row) => row.version)).toEqual([1, 2, 10, 11]);
  });

  it('should refuse a migration changed after it was applied, naming the file, and change nothing', async () => {
    const dir = schemaDir(ORDERED);
    const path = join(makeTempDir('msb-mig-'), 'msb.db');
    await (await openWriter(path, dir)).close();
    writeFileSync(join(dir, '2_second.sql'), `${ORDERED['2_second.sql']} -- edited`);
    writeFileSync(join(dir, '12_new.sql'), `INSERT INTO applied (name) VALUES ('12_new');`);
    const err = await openWriter(path, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbOpenError);
    expect(err).toMatchObject({ code: 'DB_MIGRATION_INVALID', path });
    expect((err as Error).message).toContain('2_second.sql was changed after it was applied');
    expect(ledger(path).map((row) => row.version)).toEqual([1, 2, 10]);
    // A reader refuses the edited schema as well.
    await expect(
      DbReadConnection.open(path, { connectTimeoutMs: 0, migrations: loadMigrations(dir) }),
    ).rejects.toMatchObject({ code: 'DB_MIGRATION_INVALID' });
  });

  it('should refuse two files with one version, naming both', () => {
    const dir = schemaDir({ '0001_a.sql': 'SELECT 1;', '1_b.sql': 'SELECT 2;' });
    const err = thrownBy(() => loadMigrations(dir));
    expect(err).toBeInstanceOf(DbOpenError);
    expect(err).toMatchObject({ code: 'DB_MIGRATION_INVALID', path: join(dir, '1_b.sql') });
    expect((err as Error).message).toBe(`${dir}: 0001_a.sql and 1_b.sql share version 1`);
  });

  it.each(['init.sql', '0001-init.sql', '0001_.sql', '0001_in it.sql'])(
    'should refuse a misnamed file %s, naming it',
    (name) => {
      const dir = schemaDir({ '0001_ok.sql': 'SELECT 1;', [name]: 'SELECT 2;' });
      const err = thrownBy(() => loadMigrations(dir));
      expect(err).toBeInstanceOf(DbOpenError);
      expect(err).toMatchObject({ code: 'DB_MIGRATION_INVALID', path: name });
      expect((err as Error).message).toMatch(
        new RegExp(`^${name.replace('.', '\\.')}: migration files are named`),
      );
    },
  );

  it('should apply a migrations option given out of order in version order, and refuse duplicate versions', async () => {
    const path = join(makeTempDir(), 'db', 'msb.db');
    const first = migration('0001_t.sql', 'CREATE TABLE t (x INTEGER) STRICT;');
    const second = migration('0002_i.sql', 'CREATE INDEX t_x ON t (x);');
    const write = await DbWriteConnection.open(path, { migrations: [second, first] });
    await write.close();
    expect(ledger(path).map((row) => row.version)).toEqual([1, 2]);

    const twin = migration('0002_j.sql', 'CREATE INDEX t_x2 ON t (x);');
    const err = await DbWriteConnection.open(path, { migrations: [first, second, twin] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DbOpenError);
    expect(err).toMatchObject({ code: 'DB_MIGRATION_INVALID' });
    expect((err as Error).message).toMatch(/0002_i\.sql and 0002_j\.sql share version 2/);
  });

  it('should ignore files that are not .sql', () => {
    const dir = schemaDir({ '0001_ok.sql': 'SELECT 1;', 'README.md': '# notes' });
    expect(loadMigrations(dir).map((m) => m.name)).toEqual(['0001_ok.sql']);
  });

  it('should refuse a database newer than the code with DB_SCHEMA_TOO_NEW on both sides', async () => {
    const dir = schemaDir(ORDERED);
    const path = join(makeTempDir('msb-mig-'), 'msb.db');
    await (await openWriter(path, dir)).close();
    const older = loadMigrations(dir).filter((m) => m.version < 10);
    const writeErr = await DbWriteConnection.open(path, { migrations: older }).catch((e: unknown) => e);
    expect(writeErr).toBeInstanceOf(DbOpenError);
    expect(writeErr).toMatchObject({ code: 'DB_SCHEMA_TOO_NEW', path });
    expect((writeErr as Error).message).toContain('schema version 10');
    await expect(
      DbReadConnection.open(path, { migrations: older, connectTimeoutMs: 1_000 }),
    ).rejects.toMatchObject({ name: 'DbOpenError', code: 'DB_SCHEMA_TOO_NEW' });
  });

  it('should apply nothing when one pending file fails, and report the SqliteError with its file name', async () => {
    const dir = schemaDir({
      '1_first.sql': ORDERED['1_first.sql'],
      '2_broken.sql': 'INSERT INTO no_such_table VALUES (1);',
    });
    const path = join(makeTempDir('msb-mig-'), 'msb.db');
    const err = await openWriter(path, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqliteError);
    expect(err).toMatchObject({ code: 'SQLITE_ERROR' });
    expect((err as Error).message).toBe('2_broken.sql: no such table: no_such_table');
    const db = plain(path);
    expect(
      db.prepare(`SELECT name FROM sqlite_schema WHERE name IN ('applied', ?)`).pluck().all(LEDGER_TABLE),
    ).toEqual([]);
  });

  it('should migrate the project schema through openTestPools', async () => {
    const { pools, path } = await openTestPools();
    expect(loadMigrations(projectSchemaDir()).map((m) => m.name)).toContain('0001_init.sql');
    expect(ledger(path).map((row) => row.name)).toEqual(loadMigrations().map((m) => m.name));
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
  });

  it('should build an in-memory migration with the checksum of its text', () => {
    const a = migration('0003_x.sql', 'SELECT 1;');
    expect(a).toMatchObject({ version: 3, name: '0003_x.sql' });
    expect(a.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(migration('0003_x.sql', 'SELECT 2;').checksum).not.toBe(a.checksum);
  });

  it('should skip migrations entirely with migrations: null', async () => {
    const path = join(makeTempDir('msb-mig-'), 'msb.db');
    const pools = await DbPools.open(path, { migrations: null });
    onTestFinished(() => pools.close());
    expect(
      pools.read.get(
        'SELECT count(*) FROM sqlite_schema WHERE name = @name',
        { name: LEDGER_TABLE },
        'pluck',
      ),
    ).toBe(0);
  });

  it("should refuse another program's database (tables, no ledger) and leave it unchanged", async () => {
    const path = join(makeTempDir('msb-mig-'), 'msb.db');
    const foreign = new Database(path);
    // Upstream microsandbox's own tables at the same path: msb's 0001 would create a second "sandbox".
    foreign.exec('CREATE TABLE sandbox (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE run (id INTEGER);');
    foreign.prepare("INSERT INTO sandbox (name) VALUES ('theirs')").run();
    foreign.close();

    const opening = DbPools.open(path, { connectTimeoutMs: 1_000 });
    await expect(opening).rejects.toBeInstanceOf(DbOpenError);
    await expect(opening).rejects.toMatchObject({ code: 'DB_FOREIGN', path });
    await expect(opening).rejects.toThrow(`${path} is not an msb database: it has tables (run, sandbox)`);
    const after = new Database(path, { readonly: true });
    onTestFinished(() => {
      after.close();
    });
    expect(
      after.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all(),
    ).toEqual(['run', 'sandbox']);
    expect(after.prepare('SELECT name FROM sandbox').pluck().all()).toEqual(['theirs']);
  });
});
