import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isSqliteBusy } from '../../src/db/index.js';
import { makeTempDir } from '../support/open-test-pools.js';
import { spawnFixture } from '../support/spawn-fixture.js';

const { SqliteError } = Database;

/**
 * One try at catching SQLITE_BUSY_RECOVERY: a child crashes with a large WAL, a second child starts
 * recovering it, and this process reads (busy_timeout 0) while the recovery lock is held. Returns the
 * error, or undefined when this process happened to run the recovery itself.
 */
async function tryProvokeBusyRecovery(headStartMs: number): Promise<unknown> {
  const path = join(makeTempDir('msb-recovery-'), 'recovery.db');
  const crasher = spawnFixture('crash-with-wal.mjs', [path, '96']);
  await crasher.line('filled');
  expect(await crasher.exited).toMatchObject({ signal: 'SIGKILL' });
  const recoverer = spawnFixture('recover-wal.mjs', [path]);
  await recoverer.line('start');
  // Give the child a head start so that it, not this process, holds the recovery lock. How long its
  // open takes depends on the machine's load, so each try uses a different head start.
  await sleep(headStartMs);
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 0');
    const deadline = performance.now() + 3_000;
    let first: unknown;
    while (performance.now() < deadline) {
      try {
        db.prepare('SELECT count(*) FROM filler').get();
        return first;
      } catch (err) {
        first ??= err;
        if (!(err instanceof SqliteError) || err.code !== 'SQLITE_BUSY_RECOVERY') return err;
      }
    }
    return first;
  } finally {
    db.close();
    await recoverer.exited;
  }
}

describe('isSqliteBusy on WAL recovery', () => {
  it('should be true for a real SQLITE_BUSY_RECOVERY provoked by another process recovering a crashed WAL', async () => {
    let err: unknown;
    const headStartsMs = [40, 10, 80, 0, 20, 150, 5, 60];
    for (const headStartMs of headStartsMs) {
      err = await tryProvokeBusyRecovery(headStartMs);
      if (err !== undefined) break;
    }
    expect(err).toBeInstanceOf(SqliteError);
    expect(err).toMatchObject({ code: 'SQLITE_BUSY_RECOVERY' });
    expect(isSqliteBusy(err)).toBe(true);
  });
});
