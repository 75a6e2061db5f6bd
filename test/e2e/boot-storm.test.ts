import { describe, expect, it } from 'vitest';
import { isPidAlive } from '../../src/host/processes.js';
import { lsJson, msb, newMsbHome, openHomeDb } from '../support/msb-cli.js';

const COUNT = 50;

describe('msb (built CLI) boot storm', () => {
  // About 15 s alone on 2 cores; the margin is for a full `npm test` running another suite beside it.
  it(`should bring ${COUNT} sandboxes created by ${COUNT} concurrent msb processes all to Running`, {
    timeout: 180_000,
  }, async () => {
    const home = newMsbHome();
    // One process first creates and migrates the database, as a host does before a storm.
    expect((await msb(home, ['ls'])).code).toBe(0);
    const names = Array.from({ length: COUNT }, (_, i) => `storm-${String(i).padStart(2, '0')}`);

    const results = await Promise.all(
      names.map((name) => msb(home, ['create', name, '--timeout', '120', '--', 'sleep', '300'], 150_000)),
    );

    const failures = results.filter((r) => r.code !== 0).map((r) => r.stderr);
    expect(failures).toEqual([]);
    const rows = await lsJson(home);
    expect(rows.map((r) => r.name)).toEqual(names);
    for (const row of rows) {
      expect(row.status, row.name).toBe('Running');
      expect(isPidAlive(row.pid ?? 0), row.name).toBe(true);
    }
    const db = openHomeDb(home);
    expect(db.prepare("SELECT count(*) FROM run WHERE status = 'Running'").pluck().get()).toBe(COUNT);
    expect(db.prepare('SELECT count(DISTINCT sandbox_id) FROM sandbox_metric').pluck().get()).toBe(COUNT);

    const killed = await msb(home, ['kill', ...names]);
    expect(killed.code).toBe(0);
    expect((await lsJson(home)).every((r) => r.status === 'Stopped' && r.pid === null)).toBe(true);
  });
});
