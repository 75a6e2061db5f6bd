import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DbBusyError, DbPools, migration } from '../../src/db/index.js';
import { makeTempDir, openTestPools } from '../support/open-test-pools.js';
import { spawnFixture } from '../support/spawn-fixture.js';

const { SqliteError } = Database;

const INSERT = `INSERT INTO sandbox (name, config, status) VALUES (@name, '{}', 'Running')`;

const COUNTER_SCHEMA = migration(
  '0001_counter.sql',
  `CREATE TABLE counter (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL) STRICT;
INSERT INTO counter (id, value) VALUES (1, 0);
-- UNIQUE: a lost update (two transactions reading the same counter) would collide here.
CREATE TABLE log (seq INTEGER PRIMARY KEY, worker TEXT NOT NULL, value INTEGER NOT NULL UNIQUE) STRICT;`,
);

/** About a millisecond of work under the lock (as in counter-worker.mjs), so the processes overlap. */
const WORK =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < @n) SELECT sum(x) FROM c';

interface WorkerSummary {
  readonly name: string;
  readonly commits: number;
  readonly errors: readonly unknown[];
  readonly busyRetries: number;
}

describe('DbWriteConnection.transaction across processes', () => {
  it('should succeed after a child process releases a BEGIN IMMEDIATE held for ~300 ms, counting retries', async () => {
    const { pools, path } = await openTestPools();
    const holder = spawnFixture('hold-write-lock.mjs', [path, '300']);
    await holder.line('locked');
    // The wait must happen off the event loop (busy_timeout 0 + setTimeout backoff): a 5 ms ticker keeps
    // ticking, where a blocking busy_timeout would stall it for the whole hold.
    const gaps: number[] = [];
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 5);
    const started = performance.now();
    const id = await pools.write
      .transaction((tx) => Number(tx.run(INSERT, { name: 'after' }).lastInsertRowid))
      .finally(() => clearInterval(ticker));
    const waited = performance.now() - started;
    // The child holds the lock 300 ms from printing "locked"; allow for the pipe's latency under load.
    expect(waited).toBeGreaterThanOrEqual(100);
    // A blocking wait would let (almost) no tick through while it lasts; how evenly they came is the
    // machine's business, not the contract's.
    expect(gaps.length).toBeGreaterThanOrEqual(5);
    expect(pools.write.stats.busyRetries).toBeGreaterThan(0);
    expect(pools.write.stats).toMatchObject({ transactions: 1, commits: 1, busyTimeouts: 0 });
    expect(pools.read.get('SELECT name FROM sandbox WHERE id = @id', { id }, 'pluck')).toBe('after');
    expect(await holder.exited).toMatchObject({ code: 0 });
    expect(holder.lines).toEqual(['locked', 'released']);
  });

  it('should reject with DbBusyError and commit nothing when a child holds the lock past the budget', async () => {
    const { pools, path } = await openTestPools({ retry: { budgetMs: 250 } });
    const holder = spawnFixture('hold-write-lock.mjs', [path, 'forever']);
    await holder.line('locked');
    let bodyRuns = 0;
    const err = await pools.write
      .transaction((tx) => {
        bodyRuns++;
        tx.run(INSERT, { name: 'never' });
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbBusyError);
    const busy = err as DbBusyError;
    expect(busy.code).toBe('DB_BUSY');
    expect(busy.attempts).toBeGreaterThan(1);
    expect(busy.elapsedMs).toBeGreaterThanOrEqual(250);
    // Generous: the bound is that it gives up near the budget, not after an unbounded wait.
    expect(busy.elapsedMs).toBeLessThan(250 + 2_000);
    expect(busy.cause).toBeInstanceOf(SqliteError);
    expect(busy.cause).toMatchObject({ code: 'SQLITE_BUSY' });
    expect(bodyRuns).toBe(0);
    expect(pools.write.stats).toMatchObject({ commits: 0, busyTimeouts: 1, busyRetries: busy.attempts - 1 });

    holder.child.kill('SIGKILL');
    expect(await holder.exited).toMatchObject({ code: null, signal: 'SIGKILL' });
    // The lock died with the process; the file holds nothing of ours and the writer works again.
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
    await pools.write.transaction((tx) => tx.run(INSERT, { name: 'later' }));
    expect(pools.read.all('SELECT name FROM sandbox', undefined, 'pluck')).toEqual(['later']);
  });

  it('should lose no update when 8 child processes and the parent increment one counter', async () => {
    const path = join(makeTempDir('msb-counter-'), 'db', 'msb.db');
    const pools = await DbPools.open(path, { migrations: [COUNTER_SCHEMA] });
    onTestFinished(() => pools.close());
    const perChild = 25;
    const inParent = 50;
    const children = Array.from({ length: 8 }, (_, i) =>
      spawnFixture('counter-worker.mjs', [path, `child-${i}`, String(perChild)]),
    );
    await Promise.all(children.map((c) => c.line('ready')));
    for (const c of children) c.send('go');

    // The parent awaits each transaction before the next, so its writes interleave with the children's.
    const parentErrors: unknown[] = [];
    for (let i = 0; i < inParent; i++) {
      await pools.write
        .transaction((tx) => {
          const value = tx.get<number>('SELECT value FROM counter WHERE id = 1', undefined, 'pluck')!;
          tx.get(WORK, { n: 3000 }, 'pluck');
          tx.run('UPDATE counter SET value = @value WHERE id = 1', { value: value + 1 });
          tx.run('INSERT INTO log (worker, value) VALUES (@worker, @value)', {
            worker: 'parent',
            value: value + 1,
          });
        })
        .catch((err: unknown) => parentErrors.push(err));
    }
    const exits = await Promise.all(children.map((c) => c.exited));
    const summaries = children.map((c) => JSON.parse(c.lines.at(-1) ?? 'null') as WorkerSummary);

    expect(exits.map((e) => e.code)).toEqual(Array(8).fill(0));
    expect(summaries.flatMap((s) => s.errors)).toEqual([]);
    expect(parentErrors).toEqual([]);
    const committed = summaries.reduce((n, s) => n + s.commits, 0) + inParent;
    // The processes really contended: some BEGIN IMMEDIATE met another's lock and was retried.
    const retries = summaries.reduce((n, s) => n + s.busyRetries, pools.write.stats.busyRetries);
    expect(retries).toBeGreaterThan(0);
    expect(committed).toBe(8 * perChild + inParent);

    const counter = pools.read.get<number>('SELECT value FROM counter WHERE id = 1', undefined, 'pluck');
    const logRows = pools.read.get<number>('SELECT count(*) FROM log', undefined, 'pluck');
    expect(counter).toBe(committed);
    expect(logRows).toBe(committed);
    // Every value 1..N exactly once: each transaction saw the previous one's write.
    expect(pools.read.all<number>('SELECT value FROM log ORDER BY value', undefined, 'pluck')).toEqual(
      Array.from({ length: committed }, (_, i) => i + 1),
    );
    expect(
      pools.read.all(
        'SELECT worker, count(*) AS n FROM log GROUP BY worker ORDER BY worker',
        undefined,
        'raw',
      ),
    ).toEqual([...summaries.map((s) => [s.name, perChild]), ['parent', inParent]]);
  });
});
