import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DbBusyError, type DbWriteTransaction } from '../../src/db/index.js';
import { openTestPools } from '../support/open-test-pools.js';
import { spawnFixture } from '../support/spawn-fixture.js';

const { SqliteError } = Database;

const INSERT = `INSERT INTO sandbox (name, config, status) VALUES (@name, '{}', 'Running')`;
const NAMES = 'SELECT name FROM sandbox ORDER BY id';

function insert(name: string): (tx: DbWriteTransaction) => number {
  return (tx) => Number(tx.run(INSERT, { name }).lastInsertRowid);
}

describe('DbWriteConnection group commit', () => {
  it('should commit a lone transaction inside the call, before the caller awaits it', async () => {
    const { pools } = await openTestPools();

    const pending = pools.write.transaction(insert('now'));

    // The fast path: nothing was queued, so BEGIN, the body and COMMIT ran synchronously.
    expect(pools.read.all(NAMES, undefined, 'pluck')).toEqual(['now']);
    expect(await pending).toBe(1);
    expect(pools.write.stats).toMatchObject({ transactions: 1, commits: 1, groupCommits: 0 });
  });

  it('should run the calls queued behind a busy lock in one commit, a throwing body rejecting alone', async () => {
    const { pools, path } = await openTestPools();
    const holder = spawnFixture('hold-write-lock.mjs', [path, '300']);
    await holder.line('locked');
    const runs = new Map<string, number>();
    const counted =
      <T>(name: string, body: (tx: DbWriteTransaction) => T) =>
      (tx: DbWriteTransaction): T => {
        runs.set(name, (runs.get(name) ?? 0) + 1);
        return body(tx);
      };

    const calls = [
      pools.write.transaction(counted('a', insert('a'))),
      pools.write.transaction(counted('b', insert('b'))),
      pools.write.transaction(
        counted('bad', (tx) => {
          tx.run(INSERT, { name: 'bad' });
          tx.run(INSERT, { name: 'a' }); // UNIQUE(name): this body fails after its own first write
        }),
      ),
      pools.write.transaction(counted('c', insert('c'))),
    ];
    const outcomes = await Promise.allSettled(calls);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const failure = (outcomes[2] as PromiseRejectedResult).reason as Error;
    expect(failure).toBeInstanceOf(SqliteError);
    expect(failure).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    // The failed body's own first write was rolled back with it; every other body committed.
    expect(pools.read.all(NAMES, undefined, 'pluck')).toEqual(['a', 'b', 'c']);
    const stats = pools.write.stats;
    expect(stats).toMatchObject({ transactions: 4, commits: 3, busyTimeouts: 0 });
    expect(stats.busyRetries).toBeGreaterThan(0);
    expect(stats.groupCommits).toBe(1);
    // Every body ran exactly once: the failed attempts were at BEGIN, before any body.
    expect([...runs.values()]).toEqual([1, 1, 1, 1]);
    expect(await holder.exited).toMatchObject({ code: 0 });
  });

  it('should reject a grouped body that returns a promise or nests a transaction, alone', async () => {
    const { pools, path } = await openTestPools();
    const holder = spawnFixture('hold-write-lock.mjs', [path, '200']);
    await holder.line('locked');

    const calls = [
      pools.write.transaction(insert('first')),
      pools.write.transaction(((tx: DbWriteTransaction) => {
        tx.run(INSERT, { name: 'async' });
        return Promise.resolve(1);
      }) as unknown as (tx: DbWriteTransaction) => number),
      pools.write.transaction((tx) => {
        tx.run(INSERT, { name: 'nested' });
        // Throws before it returns: transaction() refuses to run inside a body.
        return pools.write.transaction(insert('inner')) as unknown as number;
      }),
      pools.write.transaction(insert('last')),
    ];
    const outcomes = await Promise.allSettled(calls);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(TypeError);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(TypeError);
    expect(pools.read.all(NAMES, undefined, 'pluck')).toEqual(['first', 'last']);
    expect(await holder.exited).toMatchObject({ code: 0 });
  });

  it('should give each queued call its own budget: an old call times out while a new one commits', async () => {
    const { pools, path } = await openTestPools({ retry: { budgetMs: 400 } });
    const holder = spawnFixture('hold-write-lock.mjs', [path, '600']);
    await holder.line('locked');

    const old = pools.write.transaction(insert('old')).catch((err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const young = pools.write.transaction(insert('young'));

    const err = await old;
    expect(err).toBeInstanceOf(DbBusyError);
    expect(err).toMatchObject({ code: 'DB_BUSY' });
    expect(await young).toBe(1);
    expect(pools.read.all(NAMES, undefined, 'pluck')).toEqual(['young']);
    expect(pools.write.stats).toMatchObject({ transactions: 2, commits: 1, busyTimeouts: 1 });
    expect(await holder.exited).toMatchObject({ code: 0 });
  });
});
