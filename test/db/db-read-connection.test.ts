import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DbOpenError, DbReadConnection, DbWriteConnection } from '../../src/db/index.js';
import { makeTempDir, openTestPools } from '../support/open-test-pools.js';
import { thrownBy } from '../support/thrown-by.js';

const { SqliteError } = Database;

describe('DbReadConnection', () => {
  it('should refuse a missing file with DB_NOT_FOUND and create neither the file nor its directory', async () => {
    const dir = makeTempDir('msb-read-');
    const path = join(dir, 'db', 'msb.db');
    const err = await DbReadConnection.open(path, { connectTimeoutMs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbOpenError);
    expect(err).toMatchObject({ code: 'DB_NOT_FOUND', path });
    expect((err as DbOpenError).message).toContain(path);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(dir, 'db'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('should wait up to connectTimeoutMs for a missing file, then fail with DB_NOT_FOUND', async () => {
    const dir = makeTempDir('msb-read-');
    const path = join(dir, 'msb.db');
    const started = performance.now();
    await expect(DbReadConnection.open(path, { connectTimeoutMs: 150 })).rejects.toMatchObject({
      name: 'DbOpenError',
      code: 'DB_NOT_FOUND',
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('should wait for a file that a writer creates later within connectTimeoutMs', async () => {
    const dir = makeTempDir('msb-read-');
    const path = join(dir, 'db', 'msb.db');
    const started = performance.now();
    const opening = DbReadConnection.open(path, { connectTimeoutMs: 5_000 });
    await sleep(200);
    expect(existsSync(path)).toBe(false);
    const write = await DbWriteConnection.open(path);
    onTestFinished(() => write.close());
    await write.transaction((tx) => {
      tx.run(`INSERT INTO sandbox (name, config, status) VALUES ('web', '{}', 'Running')`);
    });
    const read = await opening;
    onTestFinished(() => read.close());
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(read.get<string>('SELECT name FROM sandbox', undefined, 'pluck')).toBe('web');
  });

  it('should fail a write through it with SQLITE_READONLY and change nothing', async () => {
    const { pools, path } = await openTestPools();
    const read = await DbReadConnection.open(path, { connectTimeoutMs: 0 });
    onTestFinished(() => read.close());
    for (const conn of [read, pools.read]) {
      // RETURNING makes the INSERT a statement that returns rows, so it goes through get() to SQLite.
      const err = thrownBy(() =>
        conn.get(`INSERT INTO sandbox (name, config, status) VALUES ('x', '{}', 'Running') RETURNING id`),
      );
      expect(err).toBeInstanceOf(SqliteError);
      expect(err).toMatchObject({ code: 'SQLITE_READONLY' });
    }
    expect(read.get<number>('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
  });

  it('should read in row modes object, raw, pluck and their bigint variants', async () => {
    const { pools } = await openTestPools();
    await pools.write.transaction((tx) => {
      tx.run(`INSERT INTO sandbox (id, name, config, status) VALUES (7, 'a', '{}', 'Running')`);
    });
    const sql = 'SELECT id, name FROM sandbox';
    expect(pools.read.get(sql)).toEqual({ id: 7, name: 'a' });
    expect(pools.read.get(sql, undefined, 'raw')).toEqual([7, 'a']);
    expect(pools.read.get(sql, undefined, 'pluck')).toBe(7);
    expect(pools.read.get(sql, undefined, 'object-bigint')).toEqual({ id: 7n, name: 'a' });
    expect(pools.read.all(sql, undefined, 'raw-bigint')).toEqual([[7n, 'a']]);
    expect(pools.read.all(sql, undefined, 'pluck-bigint')).toEqual([7n]);
    expect(pools.read.get('SELECT name FROM sandbox WHERE id = @id', { id: 7 }, 'pluck')).toBe('a');
    expect(pools.read.get('SELECT name FROM sandbox WHERE id = @id', { id: 8 }, 'pluck')).toBeUndefined();
  });

  it('should see one committed state inside snapshot() while another connection commits', async () => {
    const { pools, path } = await openTestPools();
    const other = new Database(path);
    onTestFinished(() => {
      other.close();
    });
    const count = (): number | undefined =>
      pools.read.get<number>('SELECT count(*) FROM sandbox', undefined, 'pluck');
    let n = 0;
    const insert = (): void => {
      n++;
      other.prepare(`INSERT INTO sandbox (name, config, status) VALUES (?, '{}', 'Running')`).run(`s${n}`);
    };
    const [before, after] = pools.read.snapshot(() => {
      const first = count();
      insert();
      return [first, count()];
    });
    expect([before, after]).toEqual([0, 0]);
    // Outside a snapshot each read sees the latest commit.
    const first = count();
    insert();
    expect([first, count()]).toEqual([1, 2]);
  });

  it('should reject an async snapshot body with a TypeError and end the snapshot', async () => {
    const { pools } = await openTestPools();
    expect(() =>
      // @ts-expect-error: a promise-returning body is refused at compile time as well.
      pools.read.snapshot(async () => 1),
    ).toThrow(new TypeError('snapshot() callback must be synchronous; it returned a promise'));
    // Not left inside the snapshot: a nested call would join it and see stale data, a fresh one begins.
    expect(pools.read.snapshot(() => pools.read.get<number>('SELECT 1', undefined, 'pluck'))).toBe(1);
  });

  it.each(['', ':memory:'])(
    'should refuse the path %j with a TypeError rather than DB_NOT_FOUND',
    async (path) => {
      await expect(DbReadConnection.open(path, { connectTimeoutMs: 0 })).rejects.toThrow(
        new TypeError(`database path must name a file shared between processes, got ${JSON.stringify(path)}`),
      );
    },
  );

  it('should refuse to be constructed directly', () => {
    const ctor = DbReadConnection as unknown as new (token: symbol, db: unknown) => unknown;
    expect(() => new ctor(Symbol('fake'), {})).toThrow(
      new TypeError('DbReadConnection cannot be constructed directly; use DbReadConnection.open()'),
    );
  });
});
