import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DbBusyError, DbPools, DbReadConnection, DbWriteConnection } from '../../src/db/index.js';
import { makeTempDir, openTestPools } from '../support/open-test-pools.js';
import { spawnFixture } from '../support/spawn-fixture.js';

const { SqliteError } = Database;

describe('DbWriteConnection', () => {
  it('should create the file and its missing directories', async () => {
    const dir = makeTempDir('msb-write-');
    const path = join(dir, 'a', 'b', 'msb.db');
    const write = await DbWriteConnection.open(path);
    onTestFinished(() => write.close());
    expect(existsSync(path)).toBe(true);
    expect(write.path).toBe(path);
  });

  it('should set journal_mode=wal in the file (read back by a second plain connection)', async () => {
    const { path } = await openTestPools();
    const plain = new Database(path, { readonly: true });
    onTestFinished(() => {
      plain.close();
    });
    expect(plain.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('should set synchronous=NORMAL, foreign_keys=ON and busy_timeout=0 on its own connection', async () => {
    // better-sqlite3 12 is built with SQLITE_DEFAULT_FOREIGN_KEYS and DEFAULT_WAL_SYNCHRONOUS=1, so the
    // first two would hold even without the writer's pragmas: this guards the outcome the typed contract promises.
    const { pools } = await openTestPools();
    const pragmas = await pools.write.transaction((tx) => ({
      journalMode: tx.get('PRAGMA journal_mode', undefined, 'pluck'),
      synchronous: tx.get('PRAGMA synchronous', undefined, 'pluck'),
      foreignKeys: tx.get('PRAGMA foreign_keys', undefined, 'pluck'),
      busyTimeout: tx.get('PRAGMA busy_timeout', undefined, 'pluck'),
    }));
    expect(pragmas).toEqual({ journalMode: 'wal', synchronous: 1, foreignKeys: 1, busyTimeout: 0 });
  });

  it('should enforce foreign keys', async () => {
    const { pools } = await openTestPools();
    const err = await pools.write
      .transaction((tx) => tx.run(`INSERT INTO run (sandbox_id, pid, status) VALUES (999, 1, 'Running')`))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqliteError);
    expect(err).toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
  });

  it('should give read connections the configured busy_timeout (default 5 s)', async () => {
    const { pools, path } = await openTestPools({ busyTimeoutMs: 1_500 });
    expect(pools.read.get('PRAGMA busy_timeout', undefined, 'pluck')).toBe(1_500);
    const read = await DbReadConnection.open(path, { connectTimeoutMs: 0 });
    onTestFinished(() => read.close());
    expect(read.get('PRAGMA busy_timeout', undefined, 'pluck')).toBe(5_000);
  });

  it.each(['', '   ', ':memory:'])(
    'should refuse the path %j, which would not be a shared file',
    async (path) => {
      await expect(DbWriteConnection.open(path)).rejects.toThrow(
        new TypeError(`database path must name a file shared between processes, got ${JSON.stringify(path)}`),
      );
      await expect(DbPools.open(path)).rejects.toThrow(TypeError);
    },
  );

  it('should refuse to be constructed directly', () => {
    const ctor = DbWriteConnection as unknown as new (token: symbol, db: unknown, p: unknown) => unknown;
    expect(() => new ctor(Symbol('fake'), {}, {})).toThrow(
      new TypeError('DbWriteConnection cannot be constructed directly; use DbWriteConnection.open()'),
    );
  });
});

describe('DbWriteConnection.attach', () => {
  it('should write through a database another process migrated, creating and migrating nothing', async () => {
    const { pools, path } = await openTestPools();
    const before = pools.read.all('SELECT version FROM _msb_migrations ORDER BY version', undefined, 'pluck');

    const write = await DbWriteConnection.attach(path, { connectTimeoutMs: 0 });
    onTestFinished(() => write.close());
    await write.transaction((tx) =>
      tx.run(`INSERT INTO sandbox (name, config, status) VALUES ('a', '{}', 'Running')`),
    );

    expect(pools.read.get('SELECT name FROM sandbox', undefined, 'pluck')).toBe('a');
    expect(
      pools.read.all('SELECT version FROM _msb_migrations ORDER BY version', undefined, 'pluck'),
    ).toEqual(before);
  });

  it('should never create a missing file, failing DB_NOT_FOUND after its timeout', async () => {
    const path = join(makeTempDir('msb-attach-'), 'db', 'msb.db');

    await expect(DbWriteConnection.attach(path, { connectTimeoutMs: 100 })).rejects.toMatchObject({
      name: 'DbOpenError',
      code: 'DB_NOT_FOUND',
    });
    expect(existsSync(join(path, '..'))).toBe(false);
  });

  it('should wait for the schema version it expects and refuse a newer one', async () => {
    const { path } = await openTestPools();
    const raw = new Database(path);
    onTestFinished(() => {
      raw.close();
    });
    const newest = raw.prepare('SELECT max(version) FROM _msb_migrations').pluck().get() as number;

    // Expecting a version the file has not reached: it waits, then times out naming the versions.
    const older = DbWriteConnection.attach(path, { connectTimeoutMs: 200, schemaVersion: newest + 1 });
    await expect(older).rejects.toMatchObject({ code: 'DB_CONNECT_TIMEOUT' });
    await expect(older).rejects.toThrow(`schema version ${newest}, older than this code's ${newest + 1}`);
    // A migration this code does not know: refused at once, whatever the timeout.
    raw
      .prepare(
        `INSERT INTO _msb_migrations (version, name, checksum, applied_at) VALUES (?, 'x.sql', '', '')`,
      )
      .run(newest + 1);
    const began = performance.now();
    await expect(DbWriteConnection.attach(path, { connectTimeoutMs: 5_000 })).rejects.toMatchObject({
      code: 'DB_SCHEMA_TOO_NEW',
    });
    expect(performance.now() - began).toBeLessThan(2_000);
  });
});

describe('DbWriteConnection.isLockedElsewhere', () => {
  it('should tell whether another process holds the write lock, leaving no transaction open', async () => {
    const { pools, path } = await openTestPools();
    expect(pools.write.isLockedElsewhere()).toBe(false);
    const holder = spawnFixture('hold-write-lock.mjs', [path, 'forever']);
    await holder.line('locked');
    expect(pools.write.isLockedElsewhere()).toBe(true);
    // A process that dies releases its locks with it.
    holder.child.kill('SIGKILL');
    await holder.exited;
    expect(pools.write.isLockedElsewhere()).toBe(false);
    // The probe's own BEGIN was rolled back: the writer works as before.
    await pools.write.transaction((tx) =>
      tx.run("INSERT INTO sandbox (name, config, status) VALUES ('a', '{}', 'Stopped')"),
    );
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(1);
  });
});

describe('DbWriteConnection blockingWaitMs', () => {
  it('should wait for the lock inside SQLite, with no busy retry, and still probe the lock at once', async () => {
    const { path } = await openTestPools();
    const write = await DbWriteConnection.attach(path, { connectTimeoutMs: 0, blockingWaitMs: 5_000 });
    onTestFinished(() => write.close());
    expect(write.blockingWaitMs).toBe(5_000);
    expect(await write.transaction((tx) => tx.get('PRAGMA busy_timeout', undefined, 'pluck'))).toBe(5_000);

    const holder = spawnFixture('hold-write-lock.mjs', [path, '300']);
    await holder.line('locked');
    const began = performance.now();
    // The probe answers at once, and leaves the writer's own wait as it was.
    expect(write.isLockedElsewhere()).toBe(true);
    expect(performance.now() - began).toBeLessThan(250);
    await write.transaction((tx) =>
      tx.run("INSERT INTO sandbox (name, config, status) VALUES ('a', '{}', 'Stopped')"),
    );
    await holder.exited;
    expect(write.stats).toMatchObject({ busyRetries: 0, commits: 2 });
    expect(await write.transaction((tx) => tx.get('PRAGMA busy_timeout', undefined, 'pluck'))).toBe(5_000);
    expect(await write.transaction((tx) => tx.get('SELECT count(*) FROM sandbox', undefined, 'pluck'))).toBe(
      1,
    );
  });

  it('should fall back to the async retry once a blocking wait ends busy, within the budget', async () => {
    const { path } = await openTestPools();
    const write = await DbWriteConnection.attach(path, {
      connectTimeoutMs: 0,
      blockingWaitMs: 50,
      retry: { baseDelayMs: 5, maxDelayMs: 20, budgetMs: 10_000 },
    });
    onTestFinished(() => write.close());
    const holder = spawnFixture('hold-write-lock.mjs', [path, '600']);
    await holder.line('locked');
    await write.transaction((tx) =>
      tx.run("INSERT INTO sandbox (name, config, status) VALUES ('a', '{}', 'Stopped')"),
    );
    await holder.exited;
    expect(write.stats.busyRetries).toBeGreaterThan(0);
    expect(await write.transaction((tx) => tx.get('SELECT count(*) FROM sandbox', undefined, 'pluck'))).toBe(
      1,
    );
  });

  it('should count the budget from the call, the first blocking wait included', async () => {
    const { path } = await openTestPools();
    const write = await DbWriteConnection.attach(path, {
      connectTimeoutMs: 0,
      blockingWaitMs: 400,
      retry: { baseDelayMs: 5, maxDelayMs: 20, budgetMs: 600 },
    });
    onTestFinished(() => write.close());
    const holder = spawnFixture('hold-write-lock.mjs', [path, 'forever']);
    onTestFinished(() => {
      holder.child.kill('SIGKILL');
    });
    await holder.line('locked');
    const began = performance.now();
    const err = await write
      .transaction((tx) => tx.run("INSERT INTO sandbox (name, config, status) VALUES ('a', '{}', 'Stopped')"))
      .catch((e: unknown) => e);
    const took = performance.now() - began;
    expect(err).toBeInstanceOf(DbBusyError);
    // The budget plus at most one blocking wait; counted from the end of the first wait it would be 1000+.
    expect(took).toBeLessThan(600 + 400 + 150);
    expect((err as DbBusyError).elapsedMs).toBeGreaterThanOrEqual(600);
  });

  it.each([-1, 1.5, 60_001, Number.NaN])('should refuse blockingWaitMs %s, naming it', async (ms) => {
    const { path } = await openTestPools();
    await expect(DbWriteConnection.attach(path, { connectTimeoutMs: 0, blockingWaitMs: ms })).rejects.toThrow(
      /blockingWaitMs must be a whole number of milliseconds from 0 to 60000/,
    );
  });
});
