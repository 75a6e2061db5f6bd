import { describe, expect, it } from 'vitest';
import { isPidAlive } from '../../src/host/processes.js';
import { msb, newMsbHome, openHomeDb } from '../support/msb-cli.js';

describe('concurrent create --replace', () => {
  it('should answer 10 concurrent replaces of one name with successes and conflicts, leaving one sandbox and no orphan', async () => {
    const home = newMsbHome();
    expect((await msb(home, ['create', 'x', '--', 'sleep', '60'])).code).toBe(0);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        msb(home, ['create', 'x', '--replace', '--timeout', '30', '--', 'sleep', '60']),
      ),
    );
    for (const result of results) {
      expect(result.stderr).not.toMatch(/SQLITE_CONSTRAINT|UNIQUE constraint/);
      // 0: it replaced; 4: another create took the name meanwhile; 1: its runtime was replaced before ready.
      expect([0, 1, 4], result.stderr).toContain(result.code);
    }
    expect(results.some((r) => r.code === 0)).toBe(true);
    await msb(home, ['ls']);
    const db = openHomeDb(home);
    expect(db.prepare("SELECT count(*) FROM sandbox WHERE name = 'x'").pluck().get()).toBe(1);
    const running = db.prepare("SELECT pid FROM run WHERE status = 'Running'").pluck().all() as number[];
    expect(running.length).toBeLessThanOrEqual(1);
    // Every runtime but the surviving one is gone.
    const others = db.prepare("SELECT pid FROM run WHERE status <> 'Running'").pluck().all() as number[];
    expect(others.filter((pid) => isPidAlive(pid) && !running.includes(pid))).toEqual([]);
    expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
  }, 120_000);
});
