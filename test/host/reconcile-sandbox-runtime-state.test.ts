import { once } from 'node:events';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isPidAlive, waitForPidExit } from '../../src/host/processes.js';
import { loadSandboxRecordReconciled, reconcileSandboxRuntimeState } from '../../src/host/reconcile.js';
import { openTestPools } from '../support/open-test-pools.js';
import { deadPid, spawnDetached, spawnUnrelatedProcess } from '../support/processes.js';
import { seedSandbox } from '../support/seed.js';

const RUN = 'SELECT status, termination_reason, termination_detail, terminated_at FROM run WHERE id = @id';

describe('reconcileSandboxRuntimeState', () => {
  it('should mark a sandbox whose runtime pid is dead Crashed, its run Terminated/InternalError', async () => {
    const { pools } = await openTestPools();
    const pid = await deadPid();
    const { record, runId } = await seedSandbox(pools, 'web', { pid });
    const before = Date.now();

    const fresh = await reconcileSandboxRuntimeState(pools, record);

    expect(fresh?.status).toBe('Crashed');
    expect(pools.read.get('SELECT status FROM sandbox WHERE id = @id', { id: record.id }, 'pluck')).toBe(
      'Crashed',
    );
    const run = pools.read.get<Record<string, string | null>>(RUN, { id: runId });
    expect(run).toMatchObject({
      status: 'Terminated',
      termination_reason: 'InternalError',
      termination_detail: expect.stringContaining(`pid ${pid}`),
    });
    expect(Date.parse(run?.terminated_at ?? '')).toBeGreaterThanOrEqual(before - 1000);
  });

  it('should kill the workload a dead runtime left behind in its process group', async () => {
    const { pools } = await openTestPools();
    // The group leader (the "runtime") exits soon (after its pid line is read); its background child
    // (the "workload") lives on.
    const leader = await spawnDetached('sh', ['-c', 'sleep 1000 & echo $!; sleep 0.3']);
    const workloadPid = Number(leader.firstLine);
    if (leader.exitCode === null) await once(leader, 'exit');
    expect(isPidAlive(workloadPid)).toBe(true);
    const { record } = await seedSandbox(pools, 'orphan', { pid: leader.pid });

    expect((await reconcileSandboxRuntimeState(pools, record))?.status).toBe('Crashed');
    expect(await waitForPidExit(workloadPid, 5_000)).toBe(true);
  });

  it('should kill the leftover group as soon as the runtime is found dead, not after waiting for the writer', async () => {
    const { pools, path } = await openTestPools();
    const leader = await spawnDetached('sh', ['-c', 'sleep 1000 & echo $!; sleep 0.3']);
    const workloadPid = Number(leader.firstLine);
    if (leader.exitCode === null) await once(leader, 'exit');
    const { record } = await seedSandbox(pools, 'orphan', { pid: leader.pid });
    // Another process holds the write lock, so marking the run stale has to wait (and retry).
    const other = new Database(path);
    onTestFinished(() => {
      if (other.open) other.close();
    });
    other.exec('BEGIN IMMEDIATE');

    const reconciled = reconcileSandboxRuntimeState(pools, record);

    // While the write waits, the group's id (the dead runtime's pid) could be handed out again.
    expect(await waitForPidExit(workloadPid, 5_000)).toBe(true);
    expect(pools.read.get('SELECT status FROM sandbox WHERE id = @id', { id: record.id }, 'pluck')).toBe(
      'Running',
    );
    other.exec('COMMIT');
    expect((await reconciled)?.status).toBe('Crashed');
  });

  it('should treat a run whose pid now names an unrelated process as stale, and leave that process alone', async () => {
    const { pools } = await openTestPools();
    const unrelated = await spawnUnrelatedProcess();
    const { record, runId } = await seedSandbox(pools, 'reused', { pid: unrelated });

    expect((await reconcileSandboxRuntimeState(pools, record))?.status).toBe('Crashed');

    expect(pools.read.get(RUN, { id: runId })).toMatchObject({
      status: 'Terminated',
      termination_reason: 'InternalError',
      termination_detail: expect.stringContaining(`pid ${unrelated}`),
    });
    expect(isPidAlive(unrelated)).toBe(true);
  });

  it('should mark a Draining sandbox with a dead runtime Crashed too', async () => {
    const { pools } = await openTestPools();
    const { record } = await seedSandbox(pools, 'drain', { pid: await deadPid(), status: 'Draining' });
    expect((await reconcileSandboxRuntimeState(pools, record))?.status).toBe('Crashed');
  });

  it('should leave a sandbox whose runtime is alive untouched', async () => {
    const { pools } = await openTestPools();
    const child = await spawnDetached('sh', ['-c', 'echo ready; exec sleep 30']);
    const { record, runId } = await seedSandbox(pools, 'live', { pid: child.pid });
    expect(await reconcileSandboxRuntimeState(pools, record)).toEqual(record);
    expect(pools.read.get(RUN, { id: runId })).toMatchObject({ status: 'Running', terminated_at: null });
  });

  it('should leave a Running sandbox with no run yet alone (its runtime is still starting)', async () => {
    const { pools } = await openTestPools();
    const { record } = await seedSandbox(pools, 'starting');
    expect(await reconcileSandboxRuntimeState(pools, record)).toEqual(record);
    expect(pools.read.get('SELECT status FROM sandbox', undefined, 'pluck')).toBe('Running');
  });

  it('should leave a Stopped sandbox alone even if a run with a dead pid is still recorded Running', async () => {
    const { pools } = await openTestPools();
    const { record, runId } = await seedSandbox(pools, 'stopped', {
      pid: await deadPid(),
      status: 'Stopped',
    });
    expect(await reconcileSandboxRuntimeState(pools, record)).toEqual(record);
    expect(pools.read.get(RUN, { id: runId })).toMatchObject({ status: 'Running' });
  });

  it('should reconcile by name through loadSandboxRecordReconciled, and give undefined for no sandbox', async () => {
    const { pools } = await openTestPools();
    await seedSandbox(pools, 'web', { pid: await deadPid() });
    expect((await loadSandboxRecordReconciled(pools, 'web'))?.status).toBe('Crashed');
    expect(await loadSandboxRecordReconciled(pools, 'nope')).toBeUndefined();
  });
});
