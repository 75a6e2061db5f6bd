import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { type IsSqliteBusy, isSqliteBusy } from '../../src/db/index.js';
import { makeTempDir } from '../support/open-test-pools.js';
import { thrownBy } from '../support/thrown-by.js';

const { SqliteError } = Database;

/** Two plain connections to one fresh WAL file with a UNIQUE column, closed after the test. */
function twoConnections(): { a: Database.Database; b: Database.Database; path: string } {
  const path = join(makeTempDir('msb-busy-'), 'busy.db');
  const a = new Database(path);
  a.pragma('journal_mode = WAL');
  a.exec('CREATE TABLE t (x INTEGER UNIQUE) STRICT; INSERT INTO t VALUES (1), (2), (3);');
  const b = new Database(path);
  b.pragma('busy_timeout = 0');
  a.pragma('busy_timeout = 0');
  return { a, b, path };
}

function closeAll(...dbs: Database.Database[]): void {
  for (const db of dbs) if (db.open) db.close();
}

/** SQLITE_BUSY: BEGIN IMMEDIATE while another connection holds the write lock. */
function provokeBusy(): unknown {
  const { a, b } = twoConnections();
  a.exec('BEGIN IMMEDIATE');
  const err = thrownBy(() => b.exec('BEGIN IMMEDIATE'));
  a.exec('ROLLBACK');
  closeAll(a, b);
  return err;
}

/** SQLITE_BUSY_SNAPSHOT: a WAL read transaction upgraded to write after another connection committed. */
function provokeBusySnapshot(): unknown {
  const { a, b } = twoConnections();
  b.exec('BEGIN');
  b.prepare('SELECT count(*) FROM t').get();
  a.exec('INSERT INTO t VALUES (4)');
  const err = thrownBy(() => b.exec('INSERT INTO t VALUES (5)'));
  b.exec('ROLLBACK');
  closeAll(a, b);
  return err;
}

/** SQLITE_LOCKED: DROP TABLE on the connection that is iterating the table (unsafe mode lets us try). */
function provokeLocked(): unknown {
  const { a, b } = twoConnections();
  a.unsafeMode(true);
  const err = thrownBy(() => {
    for (const _row of a.prepare('SELECT x FROM t').iterate()) a.exec('DROP TABLE t');
  });
  closeAll(a, b);
  return err;
}

/** SQLITE_READONLY: a write through a read-only connection. */
function provokeReadonly(): unknown {
  const { a, b, path } = twoConnections();
  const ro = new Database(path, { readonly: true, fileMustExist: true });
  const err = thrownBy(() => ro.exec('INSERT INTO t VALUES (9)'));
  closeAll(ro, a, b);
  return err;
}

/** SQLITE_CONSTRAINT_UNIQUE: a duplicate value. */
function provokeConstraint(): unknown {
  const { a, b } = twoConnections();
  const err = thrownBy(() => a.exec('INSERT INTO t VALUES (1)'));
  closeAll(a, b);
  return err;
}

class QueueFullError extends Error implements IsSqliteBusy {
  readonly #busy: boolean;
  constructor(busy: boolean) {
    super('queue full');
    this.#busy = busy;
  }
  isSqliteBusy(): boolean {
    return this.#busy;
  }
}

describe('isSqliteBusy', () => {
  it.each([
    ['SQLITE_BUSY', provokeBusy, true],
    ['SQLITE_BUSY_SNAPSHOT', provokeBusySnapshot, true],
    ['SQLITE_LOCKED', provokeLocked, false],
    ['SQLITE_READONLY', provokeReadonly, false],
    ['SQLITE_CONSTRAINT_UNIQUE', provokeConstraint, false],
  ])('should classify a real %s provoked from SQLite', (code, provoke, busy) => {
    const err = provoke();
    expect(err).toBeInstanceOf(SqliteError);
    expect((err as InstanceType<typeof SqliteError>).code).toBe(code);
    expect(isSqliteBusy(err)).toBe(busy);
  });

  it('should treat a constructed SQLITE_BUSY_RECOVERY as busy (the real one: busy-recovery.test.ts)', () => {
    const err = new SqliteError('database is locked', 'SQLITE_BUSY_RECOVERY');
    expect(isSqliteBusy(err)).toBe(true);
  });

  it('should follow wrapped causes one and two levels deep', () => {
    const busy = provokeBusy();
    const constraint = provokeConstraint();
    expect(isSqliteBusy(new Error('insert failed', { cause: busy }))).toBe(true);
    expect(isSqliteBusy(new Error('outer', { cause: new Error('inner', { cause: busy }) }))).toBe(true);
    expect(isSqliteBusy(new Error('insert failed', { cause: constraint }))).toBe(false);
    expect(isSqliteBusy(new Error('outer', { cause: new Error('inner', { cause: constraint }) }))).toBe(
      false,
    );
  });

  it('should ask an application error that implements IsSqliteBusy', () => {
    expect(isSqliteBusy(new QueueFullError(true))).toBe(true);
    expect(isSqliteBusy(new QueueFullError(false))).toBe(false);
    expect(isSqliteBusy(new Error('wrapped', { cause: new QueueFullError(true) }))).toBe(true);
  });

  it('should recognise a SqliteError by name and code when instanceof fails (an error from a worker)', () => {
    const crossed = Object.assign(new Error('database is locked'), {
      name: 'SqliteError',
      code: 'SQLITE_BUSY',
    });
    expect(crossed).not.toBeInstanceOf(SqliteError);
    expect(isSqliteBusy(crossed)).toBe(true);
  });

  it('should terminate on a cycle in the cause chain', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.defineProperty(a, 'cause', { value: b });
    expect(isSqliteBusy(a)).toBe(false);
    const self = new Error('self');
    Object.defineProperty(self, 'cause', { value: self });
    expect(isSqliteBusy(self)).toBe(false);
  });

  it('should be false for values that are not errors', () => {
    expect(isSqliteBusy(undefined)).toBe(false);
    expect(isSqliteBusy(null)).toBe(false);
    expect(isSqliteBusy('SQLITE_BUSY')).toBe(false);
    expect(isSqliteBusy({ code: 'SQLITE_BUSY' })).toBe(false);
  });
});
