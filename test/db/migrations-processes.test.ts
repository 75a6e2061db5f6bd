import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  DbBusyError,
  DbOpenError,
  DbReadConnection,
  DbWriteConnection,
  isSqliteBusy,
  LEDGER_TABLE,
  loadMigrations,
} from '../../src/db/index.js';
import { makeTempDir } from '../support/open-test-pools.js';
import { spawnFixture } from '../support/spawn-fixture.js';

/** Three migrations; each appends its name to `applied`, so a file applied twice shows up twice. */
function schemaDir(): string {
  const dir = makeTempDir('msb-schema-');
  writeFileSync(
    join(dir, '0001_first.sql'),
    `CREATE TABLE applied (seq INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT;
INSERT INTO applied (name) VALUES ('0001');`,
  );
  writeFileSync(
    join(dir, '0002_second.sql'),
    `CREATE TABLE item (id INTEGER PRIMARY KEY, label TEXT NOT NULL) STRICT;
INSERT INTO applied (name) VALUES ('0002');`,
  );
  writeFileSync(join(dir, '0003_third.sql'), `INSERT INTO applied (name) VALUES ('0003');`);
  return dir;
}

function plain(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  onTestFinished(() => {
    db.close();
  });
  return db;
}

describe('migrations across processes', () => {
  it('should apply each file exactly once when 8 processes open a fresh file at the same instant', async () => {
    const dir = schemaDir();
    const path = join(makeTempDir('msb-mig8-'), 'db', 'msb.db');
    const openers = Array.from({ length: 8 }, () => spawnFixture('open-writer.mjs', [path, dir, '20000']));
    await Promise.all(openers.map((p) => p.line('ready')));
    for (const p of openers) p.send('go');
    const exits = await Promise.all(openers.map((p) => p.exited));
    const outcomes = openers.map((p) => JSON.parse(p.lines.at(-1) ?? 'null') as { ok: boolean });

    expect(exits.map((e) => [e.code, e.stderr])).toEqual(Array(8).fill([0, '']));
    expect(outcomes.map((o) => o.ok)).toEqual(Array(8).fill(true));
    const db = plain(path);
    expect(db.prepare(`SELECT version, name FROM ${LEDGER_TABLE} ORDER BY version`).raw().all()).toEqual([
      [1, '0001_first.sql'],
      [2, '0002_second.sql'],
      [3, '0003_third.sql'],
    ]);
    expect(db.prepare('SELECT name FROM applied ORDER BY seq').pluck().all()).toEqual([
      '0001',
      '0002',
      '0003',
    ]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it("should let a reader wait for another process's migration within connectTimeoutMs", async () => {
    const dir = schemaDir();
    const path = join(makeTempDir('msb-migwait-'), 'msb.db');
    // The holder creates the file (WAL) and keeps the write lock for 600 ms; the opener, started at the
    // same time, can migrate only after that. The reader sees a file without a schema meanwhile.
    const holder = spawnFixture('hold-write-lock.mjs', [path, '600']);
    await holder.line('locked');
    const opener = spawnFixture('open-writer.mjs', [path, dir, '10000', '--no-wait']);
    // The file exists but has no schema yet: a reader that returned now would have skipped the wait.
    expect(
      plain(path).prepare('SELECT count(*) FROM sqlite_schema WHERE name = ?').pluck().get(LEDGER_TABLE),
    ).toBe(0);
    const started = performance.now();
    const read = await DbReadConnection.open(path, {
      migrations: loadMigrations(dir),
      connectTimeoutMs: 10_000,
    });
    onTestFinished(() => read.close());
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    expect(read.all('SELECT name FROM applied ORDER BY seq', undefined, 'pluck')).toEqual([
      '0001',
      '0002',
      '0003',
    ]);
    expect(await opener.exited).toMatchObject({ code: 0 });
    expect(await holder.exited).toMatchObject({ code: 0 });
  });

  it('should time out with DB_CONNECT_TIMEOUT when the schema never arrives in time', async () => {
    const dir = schemaDir();
    const path = join(makeTempDir('msb-migwait-'), 'msb.db');
    const holder = spawnFixture('hold-write-lock.mjs', [path, 'forever']);
    await holder.line('locked');
    const started = performance.now();
    const err = await DbReadConnection.open(path, {
      migrations: loadMigrations(dir),
      connectTimeoutMs: 300,
    }).catch((e: unknown) => e);
    const waited = performance.now() - started;
    expect(err).toBeInstanceOf(DbOpenError);
    expect(err).toMatchObject({ code: 'DB_CONNECT_TIMEOUT', path });
    expect((err as Error).message).toMatch(/was not ready within 300 ms: it has no schema yet/);
    expect(waited).toBeGreaterThanOrEqual(295);
    expect(waited).toBeLessThan(300 + 2_000);
  });

  it('should give up opening a writer with DbBusyError when another process holds the lock past connectTimeoutMs', async () => {
    const dir = schemaDir();
    const path = join(makeTempDir('msb-migwait-'), 'msb.db');
    const holder = spawnFixture('hold-write-lock.mjs', [path, 'forever']);
    await holder.line('locked');
    const err = await DbWriteConnection.open(path, {
      migrations: loadMigrations(dir),
      connectTimeoutMs: 200,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbBusyError);
    expect((err as DbBusyError).elapsedMs).toBeGreaterThanOrEqual(200);
    expect((err as DbBusyError).cause).toMatchObject({ name: 'SqliteError', code: 'SQLITE_BUSY' });
    holder.child.kill('SIGTERM');
    expect(await holder.exited).toMatchObject({ signal: 'SIGTERM' });
    expect(plain(path).prepare('SELECT count(*) FROM sqlite_schema').pluck().get()).toBe(0);
  });

  it('should leave nothing half-applied when a process is killed mid-migration, and apply it all on the next open', async () => {
    const dir = makeTempDir('msb-schema-');
    writeFileSync(join(dir, '0001_table.sql'), 'CREATE TABLE big (x INTEGER NOT NULL) STRICT;');
    // Slow on purpose (several hundred ms) so that the kill lands inside the migration transaction.
    writeFileSync(
      join(dir, '0002_fill.sql'),
      'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500000) INSERT INTO big SELECT x FROM c;',
    );
    const path = join(makeTempDir('msb-migkill-'), 'msb.db');
    const opener = spawnFixture('open-writer.mjs', [path, dir, '10000']);
    await opener.line('ready');
    opener.send('go');
    // The migration holds the write lock from BEGIN IMMEDIATE to COMMIT: seeing it held means the child
    // is inside the migration (nothing else in it takes the lock).
    const deadline = performance.now() + 10_000;
    while (!existsSync(path) && performance.now() < deadline) await sleep(2);
    // Opened only once the child created the file, so the probe never creates it itself.
    const probe = new Database(path, { fileMustExist: true });
    onTestFinished(() => {
      probe.close();
    });
    probe.pragma('busy_timeout = 0');
    let held = false;
    while (!held && performance.now() < deadline && opener.lines.length < 2) {
      try {
        probe.exec('BEGIN IMMEDIATE');
        probe.exec('ROLLBACK');
        await sleep(2);
      } catch (err) {
        if (!isSqliteBusy(err)) throw err;
        held = true;
      }
    }
    expect(held).toBe(true);
    opener.child.kill('SIGKILL');
    expect(await opener.exited).toMatchObject({ signal: 'SIGKILL' });

    const names = (): unknown[] =>
      probe.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
    expect(names()).toEqual([]);

    const write = await DbWriteConnection.open(path, { migrations: loadMigrations(dir) });
    onTestFinished(() => write.close());
    expect(names()).toEqual([LEDGER_TABLE, 'big']);
    expect(probe.prepare(`SELECT version FROM ${LEDGER_TABLE} ORDER BY version`).pluck().all()).toEqual([
      1, 2,
    ]);
    expect(probe.prepare('SELECT count(*) FROM big').pluck().get()).toBe(1_500_000);
  });
});
