import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/host/create-sandbox.js';
import { reapStaleSandboxes, requireSandbox } from '../../src/host/reconcile.js';
import { removeSandbox } from '../../src/host/stop-sandbox.js';
import { sandboxDir } from '../../src/sandbox/paths.js';
import { openTestPools } from '../support/open-test-pools.js';
import { spawnDetached } from '../support/processes.js';
import { seedSandbox } from '../support/seed.js';

const PAST = new Date(Date.now() - 1_000).toISOString();
const FUTURE = new Date(Date.now() + 60_000).toISOString();

function status(pools: Awaited<ReturnType<typeof openTestPools>>['pools'], name: string): unknown {
  return pools.read.get('SELECT status FROM sandbox WHERE name = @name', { name }, 'pluck');
}

describe('abandoned starts', () => {
  it('should let the reaper crash a Running sandbox whose start deadline passed with no run, and only that', async () => {
    const { pools } = await openTestPools();
    await seedSandbox(pools, 'abandoned', { startDeadline: PAST });
    await seedSandbox(pools, 'starting', { startDeadline: FUTURE });
    // A row from before start deadlines existed: updated_at + 60 s.
    await seedSandbox(pools, 'legacy', { startDeadline: FUTURE });
    await pools.write.transaction((tx) =>
      tx.run(
        "UPDATE sandbox SET start_deadline = NULL, updated_at = '2020-01-01T00:00:00.000Z' WHERE name = 'legacy'",
      ),
    );

    expect(await reapStaleSandboxes(pools)).toEqual([
      { name: 'abandoned', runId: null, pid: null },
      { name: 'legacy', runId: null, pid: null },
    ]);
    expect(status(pools, 'abandoned')).toBe('Crashed');
    expect(status(pools, 'legacy')).toBe('Crashed');
    expect(status(pools, 'starting')).toBe('Running');
    expect(await reapStaleSandboxes(pools)).toEqual([]);
  });

  it('should keep a sandbox whose runtime claimed it after its deadline (the claim wins the race)', async () => {
    const { pools } = await openTestPools();
    const runtime = await spawnDetached('sh', ['-c', 'echo ready; exec sleep 30']);
    const { record } = await seedSandbox(pools, 'late', { startDeadline: PAST, pid: runtime.pid });
    expect(await reapStaleSandboxes(pools)).toEqual([]);
    expect((await requireSandbox(pools, 'late')).id).toBe(record.id);
    expect(status(pools, 'late')).toBe('Running');
  });

  it('should let rm remove an abandoned start at once, through reconcile', async () => {
    const { pools, dir: home } = await openTestPools();
    await seedSandbox(pools, 'stuck', { startDeadline: PAST });
    mkdirSync(sandboxDir(home, 'stuck'), { recursive: true });
    expect((await requireSandbox(pools, 'stuck')).status).toBe('Crashed');
    expect(await removeSandbox(pools, { home, name: 'stuck' })).toBe('sandbox');
    expect(status(pools, 'stuck')).toBeUndefined();
    expect(existsSync(sandboxDir(home, 'stuck'))).toBe(false);
  });
});

describe('failed creates', () => {
  it('should leave no directory behind when the insert fails', async () => {
    const { pools, dir: home } = await openTestPools();
    // A real failure inside SQLite at the insert, as a full disk or a read-only file would give.
    await pools.write.transaction((tx) =>
      tx.run("CREATE TRIGGER refuse BEFORE INSERT ON sandbox BEGIN SELECT RAISE(ABORT, 'no room'); END"),
    );
    await expect(
      createSandbox(pools, { home, name: 'web', command: 'sleep', args: ['60'] }),
    ).rejects.toMatchObject({
      code: 'SQLITE_CONSTRAINT_TRIGGER',
    });
    expect(existsSync(sandboxDir(home, 'web'))).toBe(false);
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
  });

  it('should answer a name inserted meanwhile by another create with SANDBOX_EXISTS, not a raw constraint', async () => {
    const { pools, dir: home } = await openTestPools();
    // The other create inserts between this one's checks and its insert.
    await pools.write.transaction((tx) =>
      tx.run(
        `CREATE TRIGGER race BEFORE INSERT ON sandbox WHEN NEW.name = 'web' AND NOT EXISTS (SELECT 1 FROM sandbox WHERE name = 'web')
         BEGIN INSERT INTO sandbox (name, config, status) VALUES ('web', '{}', 'Stopped'); END`,
      ),
    );
    await expect(
      createSandbox(pools, { home, name: 'web', command: 'sleep', args: ['60'] }),
    ).rejects.toMatchObject({
      name: 'HostError',
      code: 'SANDBOX_EXISTS',
      message: 'sandbox "web" was created by another command meanwhile',
    });
    // The trigger's row went with the failed statement; what matters is that nothing of this create stayed.
    expect(pools.read.all('SELECT name, status FROM sandbox')).toEqual([]);
    expect(existsSync(sandboxDir(home, 'web'))).toBe(false);
  });

  it('should let rm remove a leftover directory that has no sandbox row', async () => {
    const { pools, dir: home } = await openTestPools();
    mkdirSync(sandboxDir(home, 'left'), { recursive: true });
    writeFileSync(join(sandboxDir(home, 'left'), 'stdout.log'), 'old');
    expect(await removeSandbox(pools, { home, name: 'left' })).toBe('leftover-directory');
    expect(existsSync(sandboxDir(home, 'left'))).toBe(false);
    await expect(removeSandbox(pools, { home, name: 'left' })).rejects.toMatchObject({
      code: 'SANDBOX_NOT_FOUND',
    });
  });
});

describe('a damaged sandbox config', () => {
  it('should not make a stopped sandbox impossible to remove', async () => {
    const { pools, dir: home } = await openTestPools();
    await pools.write.transaction((tx) =>
      tx.run(`INSERT INTO sandbox (name, config, status) VALUES ('web', '{"command":5}', 'Stopped')`),
    );
    await pools.write.transaction((tx) =>
      tx.run(`INSERT INTO sandbox (name, config, status) VALUES ('live', '{"command":5}', 'Running')`),
    );
    await expect(removeSandbox(pools, { home, name: 'live' })).rejects.toMatchObject({
      code: 'SANDBOX_CONFIG_INVALID',
      message: expect.stringContaining('once stopped it can still be removed'),
    });
    expect(await removeSandbox(pools, { home, name: 'web' })).toBe('sandbox');
    expect(pools.read.all('SELECT name FROM sandbox')).toEqual([{ name: 'live' }]);
  });
});
