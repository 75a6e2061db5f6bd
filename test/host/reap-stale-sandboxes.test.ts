import { once } from 'node:events';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadActivePids } from '../../src/host/lookup.js';
import { isPidAlive, waitForPidExit } from '../../src/host/processes.js';
import { reapStaleSandboxes } from '../../src/host/reconcile.js';
import { openTestPools } from '../support/open-test-pools.js';
import { deadPid, spawnDetached, spawnUnrelatedProcess } from '../support/processes.js';
import { seedSandbox } from '../support/seed.js';

describe('reapStaleSandboxes', () => {
  it('should crash only Running/Draining sandboxes whose runtime pid is dead', async () => {
    const { pools } = await openTestPools();
    const live = await spawnDetached('sh', ['-c', 'echo ready; exec sleep 30']);
    const dead = await deadPid();
    const running = await seedSandbox(pools, 'a-running-dead', { pid: dead });
    const draining = await seedSandbox(pools, 'b-draining-dead', { pid: dead, status: 'Draining' });
    await seedSandbox(pools, 'c-running-live', { pid: live.pid });
    await seedSandbox(pools, 'd-stopped-dead', { pid: dead, status: 'Stopped' });
    await seedSandbox(pools, 'e-no-run-yet');
    await seedSandbox(pools, 'f-crashed-dead', { pid: dead, status: 'Crashed' });
    const before = pools.read.all('SELECT * FROM sandbox ORDER BY name');

    const reaped = await reapStaleSandboxes(pools);

    expect(reaped).toEqual([
      { name: 'a-running-dead', runId: running.runId, pid: dead },
      { name: 'b-draining-dead', runId: draining.runId, pid: dead },
    ]);
    expect(
      pools.read.all(
        `SELECT sandbox.name, sandbox.status, run.status AS run_status, run.termination_reason
         FROM sandbox LEFT JOIN run ON run.sandbox_id = sandbox.id ORDER BY sandbox.name`,
      ),
    ).toEqual([
      {
        name: 'a-running-dead',
        status: 'Crashed',
        run_status: 'Terminated',
        termination_reason: 'InternalError',
      },
      {
        name: 'b-draining-dead',
        status: 'Crashed',
        run_status: 'Terminated',
        termination_reason: 'InternalError',
      },
      { name: 'c-running-live', status: 'Running', run_status: 'Running', termination_reason: null },
      { name: 'd-stopped-dead', status: 'Stopped', run_status: 'Running', termination_reason: null },
      { name: 'e-no-run-yet', status: 'Running', run_status: null, termination_reason: null },
      { name: 'f-crashed-dead', status: 'Crashed', run_status: 'Running', termination_reason: null },
    ]);
    // The untouched rows are byte-for-byte the same, updated_at included.
    const after = pools.read.all('SELECT * FROM sandbox ORDER BY name');
    expect(after.slice(2)).toEqual(before.slice(2));
  });

  it('should kill the leftover group of a dead runtime before it waits for the writer', async () => {
    const { pools, path } = await openTestPools();
    const leader = await spawnDetached('sh', ['-c', 'sleep 1000 & echo $!; sleep 0.3']);
    const workloadPid = Number(leader.firstLine);
    if (leader.exitCode === null) await once(leader, 'exit');
    await seedSandbox(pools, 'orphan', { pid: leader.pid });
    const other = new Database(path);
    onTestFinished(() => {
      if (other.open) other.close();
    });
    other.exec('BEGIN IMMEDIATE');

    const reaped = reapStaleSandboxes(pools);

    expect(await waitForPidExit(workloadPid, 5_000)).toBe(true);
    other.exec('COMMIT');
    expect((await reaped).map((r) => r.name)).toEqual(['orphan']);
  });

  it('should reap a run whose pid now names an unrelated process, and leave that process alone', async () => {
    const { pools } = await openTestPools();
    const unrelated = await spawnUnrelatedProcess();
    const { runId } = await seedSandbox(pools, 'reused', { pid: unrelated });

    expect(await reapStaleSandboxes(pools)).toEqual([{ name: 'reused', runId, pid: unrelated }]);
    expect(loadActivePids(pools.read)).toEqual([]);
    expect(isPidAlive(unrelated)).toBe(true);
  });

  it('should find nothing to do on a second pass', async () => {
    const { pools } = await openTestPools();
    await seedSandbox(pools, 'web', { pid: await deadPid() });
    expect(await reapStaleSandboxes(pools)).toHaveLength(1);
    expect(await reapStaleSandboxes(pools)).toEqual([]);
    expect(pools.write.stats.commits).toBeGreaterThan(0);
  });
});
