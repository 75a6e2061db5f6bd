import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DbBusyError, type DbWriteTransaction, type IsSqliteBusy, isSqliteBusy } from '../../src/db/index.js';
import { HostError, RuntimeError } from '../../src/sandbox/errors.js';
import { openTestPools } from '../support/open-test-pools.js';

const { SqliteError } = Database;

const INSERT = `INSERT INTO sandbox (name, config, status) VALUES (@name, '{}', 'Running')`;

function insertSandbox(tx: DbWriteTransaction, name: string): number {
  return Number(tx.run(INSERT, { name }).lastInsertRowid);
}

/** A named frame the rollback test looks for in the error's stack. */
function insertDuplicateSandbox(tx: DbWriteTransaction): void {
  insertSandbox(tx, 'dup');
  insertSandbox(tx, 'dup');
}

class RetryLaterError extends Error implements IsSqliteBusy {
  isSqliteBusy(): boolean {
    return true;
  }
}

/** A real `SQLITE_BUSY` from SQLite: a second writer that may not wait while another holds the lock. */
function realBusyError(path: string): unknown {
  const holder = new Database(path);
  const contender = new Database(path, { timeout: 0 });
  try {
    holder.exec('BEGIN IMMEDIATE');
    contender.exec('BEGIN IMMEDIATE');
    throw new Error('BEGIN IMMEDIATE did not fail while another connection held the lock');
  } catch (err) {
    return err;
  } finally {
    holder.exec('ROLLBACK');
    holder.close();
    contender.close();
  }
}

describe('DbWriteConnection.transaction', () => {
  it('should commit and resolve with the body result', async () => {
    const { pools } = await openTestPools();
    const id = await pools.write.transaction((tx) => insertSandbox(tx, 'web'));
    expect(pools.read.get('SELECT id, name, status FROM sandbox')).toEqual({
      id,
      name: 'web',
      status: 'Running',
    });
    expect(pools.write.stats).toMatchObject({ transactions: 1, commits: 1, rollbacks: 0, busyRetries: 0 });
  });

  it('should make every change of a RETURNING statement on run and count them all', async () => {
    const { pools } = await openTestPools();
    await pools.write.transaction((tx) => {
      for (const name of ['a', 'b', 'c']) insertSandbox(tx, name);
    });
    const result = await pools.write.transaction((tx) =>
      tx.run("UPDATE sandbox SET status = 'Stopped' RETURNING id, status"),
    );
    expect(result.changes).toBe(3);
    expect(pools.read.all('SELECT status FROM sandbox', undefined, 'pluck')).toEqual([
      'Stopped',
      'Stopped',
      'Stopped',
    ]);
    const inserted = await pools.write.transaction((tx) => tx.run(`${INSERT} RETURNING id`, { name: 'd' }));
    expect(
      pools.read.get('SELECT name FROM sandbox WHERE id = @id', { id: inserted.lastInsertRowid }),
    ).toEqual({
      name: 'd',
    });
  });

  it('should roll back and reject with the original SqliteError, its code and the caller in the stack', async () => {
    const { pools } = await openTestPools();
    const err = await pools.write
      .transaction((tx) => {
        insertSandbox(tx, 'first');
        insertDuplicateSandbox(tx);
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqliteError);
    expect(err).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    expect((err as Error).stack).toContain('insertDuplicateSandbox');
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
    expect(pools.write.stats).toMatchObject({ transactions: 1, commits: 0, rollbacks: 1 });
  });

  it('should reject with an application error unchanged (same object) and commit nothing', async () => {
    const { pools } = await openTestPools();
    const mine = new RangeError('sandbox name too long');
    await expect(
      pools.write.transaction((tx) => {
        insertSandbox(tx, 'x');
        throw mine;
      }),
    ).rejects.toBe(mine);
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
  });

  it('should reject an async body with a TypeError and commit nothing', async () => {
    const { pools } = await openTestPools();
    const rejection = pools.write.transaction(
      // @ts-expect-error: a promise-returning body is a compile error too (see test/types/db-connection-types.ts).
      async (tx: DbWriteTransaction) => {
        insertSandbox(tx, 'async');
      },
    );
    await expect(rejection).rejects.toThrow(
      new TypeError('transaction() callback must be synchronous; it returned a promise'),
    );
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
  });

  it('should reject a body that writes after an await, leaving no unhandled rejection and no row', async () => {
    const { pools } = await openTestPools();
    let lateError: unknown;
    const body = async (tx: DbWriteTransaction): Promise<void> => {
      await null;
      try {
        insertSandbox(tx, 'late');
      } catch (err) {
        lateError = err;
        throw err;
      }
    };
    await expect(
      pools.write.transaction(body as unknown as (tx: DbWriteTransaction) => void),
    ).rejects.toThrow(/callback must be synchronous/);
    // Let the body's continuation run: it meets the dead handle, and its rejection must not go unhandled
    // (vitest fails the run on an unhandled rejection).
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lateError).toBeInstanceOf(TypeError);
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
  });

  it('should reject transaction() called from inside a body and commit nothing of the outer one', async () => {
    const { pools } = await openTestPools();
    let inner: Promise<unknown> | undefined;
    const outer = pools.write.transaction((tx) => {
      insertSandbox(tx, 'outer');
      inner = pools.write.transaction((tx2) => insertSandbox(tx2, 'inner'));
    });
    await expect(outer).rejects.toThrow(TypeError);
    await expect(outer).rejects.toThrow(/transaction\(\) called inside a transaction body/);
    expect(inner).toBeUndefined();
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
    // The writer is still usable afterwards.
    await pools.write.transaction((tx) => insertSandbox(tx, 'after'));
    expect(pools.read.all('SELECT name FROM sandbox', undefined, 'pluck')).toEqual(['after']);
  });

  it('should make the handle throw once its transaction committed or rolled back', async () => {
    const { pools } = await openTestPools();
    let committed: DbWriteTransaction | undefined;
    await pools.write.transaction((tx) => {
      committed = tx;
      expect(tx.active).toBe(true);
    });
    expect(committed?.active).toBe(false);
    expect(() => committed?.get('SELECT 1')).toThrow(
      new TypeError('transaction handle used after its transaction ended (committed or rolled back)'),
    );
    expect(() => committed?.run(INSERT, { name: 'late' })).toThrow(TypeError);
    let rolledBack: DbWriteTransaction | undefined;
    await expect(
      pools.write.transaction((tx) => {
        rolledBack = tx;
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(() => rolledBack?.all('SELECT 1')).toThrow(TypeError);
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
  });

  it('should commit 200 concurrent transactions, one at a time, in call order', async () => {
    const { pools } = await openTestPools();
    const names = Array.from({ length: 200 }, (_, i) => `sb-${String(i).padStart(3, '0')}`);
    let running = 0;
    let maxRunning = 0;
    const results = await Promise.all(
      names.map((name, i) =>
        pools.write.transaction((tx) => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          insertSandbox(tx, name);
          running--;
          return i;
        }),
      ),
    );
    expect(results).toEqual(names.map((_, i) => i));
    expect(maxRunning).toBe(1);
    // Ids are assigned in commit order, so ordering by id must give the call order.
    expect(pools.read.all('SELECT name FROM sandbox ORDER BY id', undefined, 'pluck')).toEqual(names);
    expect(pools.write.stats).toMatchObject({ transactions: 200, commits: 200, rollbacks: 0 });
  });

  it('should keep the queue moving past a failed transaction', async () => {
    const { pools } = await openTestPools();
    const settled = await Promise.allSettled([
      pools.write.transaction((tx) => insertSandbox(tx, 'a')),
      pools.write.transaction((tx) => insertDuplicateSandbox(tx)),
      pools.write.transaction((tx) => insertSandbox(tx, 'b')),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(pools.read.all('SELECT name FROM sandbox ORDER BY id', undefined, 'pluck')).toEqual(['a', 'b']);
  });

  it('should rerun the whole body after a busy error thrown inside it, rolling back the first attempt', async () => {
    const { pools } = await openTestPools();
    let calls = 0;
    const result = await pools.write.transaction((tx) => {
      calls++;
      insertSandbox(tx, `attempt-${calls}`);
      if (calls === 1) throw new RetryLaterError('a lock elsewhere was busy');
      return calls;
    });
    expect(result).toBe(2);
    expect(pools.read.all('SELECT name FROM sandbox', undefined, 'pluck')).toEqual(['attempt-2']);
    expect(pools.write.stats).toMatchObject({ commits: 1, rollbacks: 1, busyRetries: 1 });
  });

  it('should retry BEGIN IMMEDIATE while another connection holds the lock, then commit', async () => {
    const { pools, path } = await openTestPools();
    const other = new Database(path);
    onTestFinished(() => {
      other.close();
    });
    other.exec('BEGIN IMMEDIATE');
    setTimeout(() => other.exec('COMMIT'), 150);
    const started = performance.now();
    await pools.write.transaction((tx) => insertSandbox(tx, 'after-lock'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(pools.write.stats.busyRetries).toBeGreaterThan(0);
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(1);
  });

  it('should reject with DbBusyError after the budget when the lock is never released', async () => {
    const { pools, path } = await openTestPools({ retry: { budgetMs: 200 } });
    const other = new Database(join(path));
    onTestFinished(() => {
      other.close();
    });
    other.exec('BEGIN IMMEDIATE');
    let calls = 0;
    const err = await pools.write
      .transaction((tx) => {
        calls++;
        insertSandbox(tx, 'never');
      })
      .catch((e: unknown) => e);
    other.exec('ROLLBACK');
    expect(err).toBeInstanceOf(DbBusyError);
    expect(calls).toBe(0);
    expect((err as DbBusyError).cause).toMatchObject({ name: 'SqliteError', code: 'SQLITE_BUSY' });
    expect(pools.write.stats).toMatchObject({ transactions: 1, commits: 0, busyTimeouts: 1 });
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
  });

  it('should finish queued transactions before close() closes the connection', async () => {
    const { pools } = await openTestPools();
    const queued = [1, 2, 3].map((i) => pools.write.transaction((tx) => insertSandbox(tx, `q${i}`)));
    await pools.write.close();
    await expect(Promise.all(queued)).resolves.toHaveLength(3);
    expect(pools.write.open).toBe(false);
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(3);
  });
});

describe('DbWriteConnection.transaction with the application errors', () => {
  const errors = [
    ['HostError', (cause: unknown) => new HostError('SANDBOX_NOT_FOUND', 'sandbox "a" is gone', { cause })],
    [
      'RuntimeError',
      (cause: unknown) => new RuntimeError('SANDBOX_NOT_FOUND', 'sandbox "a" is gone', { cause }),
    ],
  ] as const;

  for (const [name, make] of errors) {
    it(`should rerun a body that throws a ${name} around a busy SqliteError, and commit the second attempt`, async () => {
      const { pools, path } = await openTestPools();
      const busy = realBusyError(path);
      expect(busy).toMatchObject({ name: 'SqliteError', code: 'SQLITE_BUSY' });
      let calls = 0;
      const result = await pools.write.transaction((tx) => {
        calls++;
        insertSandbox(tx, `attempt-${calls}`);
        if (calls === 1) throw make(busy);
        return calls;
      });
      expect(result).toBe(2);
      expect(pools.read.all('SELECT name FROM sandbox', undefined, 'pluck')).toEqual(['attempt-2']);
      expect(pools.write.stats).toMatchObject({ commits: 1, rollbacks: 1, busyRetries: 1 });
    });

    it(`should reject at once with a ${name} whose cause is not busy, the same object, and commit nothing`, async () => {
      const { pools } = await openTestPools();
      const cause = new SqliteError('constraint failed', 'SQLITE_CONSTRAINT_UNIQUE');
      const thrown = make(cause);
      expect(isSqliteBusy(thrown)).toBe(false);
      let calls = 0;
      const err = await pools.write
        .transaction((tx) => {
          calls++;
          insertSandbox(tx, 'never');
          throw thrown;
        })
        .catch((e: unknown) => e);
      expect(err).toBe(thrown);
      expect(err).toMatchObject({ name, code: 'SANDBOX_NOT_FOUND' });
      expect(calls).toBe(1);
      expect(pools.write.stats).toMatchObject({ commits: 0, rollbacks: 1, busyRetries: 0 });
      expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
    });
  }
});
