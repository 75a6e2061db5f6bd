import { describe, expect, it } from 'vitest';
import {
  insertRuntimeMetric,
  insertRuntimeRun,
  selectActiveRun,
  selectLatestMetric,
  setSandboxStatus,
} from '../../src/generated/index.js';
import {
  buildHandle,
  getSandbox,
  inspectSandbox,
  listSandboxes,
  loadActivePids,
  metricsForSandbox,
} from '../../src/host/lookup.js';
import { loadSandboxRecord, markSandboxRuntimeStale } from '../../src/host/reconcile.js';
import { markSandboxStoppedForReplacement } from '../../src/host/stop-sandbox.js';
import { openTestPools } from '../support/open-test-pools.js';
import { deadPid, spawnDetached } from '../support/processes.js';
import { seedSandbox, sleepConfig } from '../support/seed.js';

const SAMPLE = { diskReadBytes: 0, diskWriteBytes: 0, netRxBytes: 0, netTxBytes: 0 };

describe('read helpers', () => {
  it('should load records, active runs, alive pids, metrics and handles', async () => {
    const { pools } = await openTestPools();
    const live = await spawnDetached('sh', ['-c', 'echo ready; exec sleep 30']);
    const web = await seedSandbox(pools, 'web', { pid: live.pid });
    const dead = await seedSandbox(pools, 'dead', { pid: await deadPid() });
    await seedSandbox(pools, 'idle', { status: 'Stopped' });
    for (const [cpu, memory] of [
      [1.5, 100],
      [2.5, 200],
      [3.5, 300],
    ] as const) {
      await insertRuntimeMetric(pools.write, {
        sandboxId: web.record.id,
        cpuPercent: cpu,
        memoryBytes: memory,
        ...SAMPLE,
      });
    }

    expect(loadSandboxRecord(pools.read, 'web')).toEqual(
      expect.objectContaining({ name: 'web', config: sleepConfig() }),
    );
    expect(loadSandboxRecord(pools.read, 'nope')).toBeUndefined();
    expect(selectActiveRun(pools.read, { sandboxId: web.record.id })).toMatchObject({
      id: web.runId,
      pid: live.pid,
      status: 'Running',
    });
    expect(loadActivePids(pools.read)).toEqual([
      { sandboxId: web.record.id, name: 'web', sandboxStatus: 'Running', runId: web.runId, pid: live.pid },
    ]);
    expect(selectLatestMetric(pools.read, { sandboxId: web.record.id })).toMatchObject({
      cpuPercent: 3.5,
      memoryBytes: 300,
    });
    expect(metricsForSandbox(pools.read, web.record.id, 2).map((m) => m.memoryBytes)).toEqual([300, 200]);
    expect(() => metricsForSandbox(pools.read, web.record.id, 0)).toThrow(RangeError);

    const handle = buildHandle(pools.read, web.record);
    expect(handle).toMatchObject({ pid: live.pid, metric: { memoryBytes: 300 }, run: { id: web.runId } });
    expect(handle.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(buildHandle(pools.read, dead.record)).toMatchObject({
      pid: null,
      uptimeMs: null,
      run: { id: dead.runId },
    });

    await seedSandbox(pools, 'web-10', { status: 'Stopped' });
    await seedSandbox(pools, 'web-9', { status: 'Stopped' });
    expect(listSandboxes(pools.read).map((h) => [h.record.name, h.record.status, h.pid])).toEqual([
      ['dead', 'Running', null],
      ['idle', 'Stopped', null],
      ['web', 'Running', live.pid],
      ['web-9', 'Stopped', null],
      ['web-10', 'Stopped', null],
    ]);
    const inspection = inspectSandbox(pools.read, 'web', 2);
    expect(inspection.runs.map((r) => r.id)).toEqual([web.runId]);
    expect(inspection.metrics).toHaveLength(2);
    expect(() => inspectSandbox(pools.read, 'nope')).toThrow(
      expect.objectContaining({ code: 'SANDBOX_NOT_FOUND', message: 'sandbox "nope" does not exist' }),
    );
  });

  it('should reconcile in getSandbox, and refuse a missing sandbox', async () => {
    const { pools } = await openTestPools();
    await seedSandbox(pools, 'dead', { pid: await deadPid() });
    expect((await getSandbox(pools, 'dead')).record.status).toBe('Crashed');
    await expect(getSandbox(pools, 'nope')).rejects.toMatchObject({ code: 'SANDBOX_NOT_FOUND' });
  });
});

describe('write helpers', () => {
  it('should set a status and count the rows it changed', async () => {
    const { pools } = await openTestPools();
    const { record } = await seedSandbox(pools, 'web');
    expect(await setSandboxStatus(pools.write, { id: record.id, status: 'Paused' })).toBe(1);
    expect(await setSandboxStatus(pools.write, { id: record.id + 100, status: 'Paused' })).toBe(0);
    expect(pools.read.get('SELECT status FROM sandbox', undefined, 'pluck')).toBe('Paused');
  });

  it('should mark a runtime stale without crashing a sandbox that is already Stopped', async () => {
    const { pools } = await openTestPools();
    const { record, runId } = await seedSandbox(pools, 'web', { pid: await deadPid(), status: 'Stopped' });
    const marked = await markSandboxRuntimeStale(pools.write, {
      sandboxId: record.id,
      runId: runId!,
      detail: 'gone',
    });
    expect(marked).toEqual({ runTerminated: true, sandboxCrashed: false });
    expect(pools.read.get('SELECT status FROM sandbox', undefined, 'pluck')).toBe('Stopped');
    expect(pools.read.get('SELECT status, termination_reason, termination_detail FROM run')).toEqual({
      status: 'Terminated',
      termination_reason: 'InternalError',
      termination_detail: 'gone',
    });
    // A second marking changes nothing: the run's recorded end wins.
    expect(
      await markSandboxRuntimeStale(pools.write, { sandboxId: record.id, runId: runId!, detail: 'x' }),
    ).toEqual({
      runTerminated: false,
      sandboxCrashed: false,
    });
  });

  it('should not crash a sandbox that another live run already restarted', async () => {
    const { pools } = await openTestPools();
    const live = await spawnDetached('sh', ['-c', 'echo ready; exec sleep 30']);
    const { record, runId: staleRunId } = await seedSandbox(pools, 'web', { pid: await deadPid() });
    await insertRuntimeRun(pools.write, { sandboxId: record.id, pid: live.pid });

    const marked = await markSandboxRuntimeStale(pools.write, {
      sandboxId: record.id,
      runId: staleRunId!,
      detail: 'gone',
    });

    expect(marked).toEqual({ runTerminated: true, sandboxCrashed: false });
    expect(pools.read.get('SELECT status FROM sandbox', undefined, 'pluck')).toBe('Running');
    expect(pools.read.all('SELECT pid, status FROM run ORDER BY id')).toEqual([
      { pid: expect.any(Number), status: 'Terminated' },
      { pid: live.pid, status: 'Running' },
    ]);
  });

  it('should mark a replaced sandbox Stopped and its run Terminated/Signal with the signal', async () => {
    const { pools } = await openTestPools();
    const { record, runId } = await seedSandbox(pools, 'web', { pid: await deadPid() });
    await markSandboxStoppedForReplacement(pools.write, { sandboxId: record.id, runId, signal: 'SIGTERM' });
    expect(pools.read.get('SELECT status FROM sandbox', undefined, 'pluck')).toBe('Stopped');
    expect(
      pools.read.get(
        'SELECT status, termination_reason, exit_signal, terminated_at IS NOT NULL AS ended FROM run',
      ),
    ).toEqual({
      status: 'Terminated',
      termination_reason: 'Signal',
      exit_signal: 'SIGTERM',
      ended: 1,
    });
  });

  it('should refuse a second sandbox of the same name with the driver error, unwrapped', async () => {
    const { pools } = await openTestPools();
    await seedSandbox(pools, 'web');
    await expect(seedSandbox(pools, 'web')).rejects.toMatchObject({
      name: 'SqliteError',
      code: 'SQLITE_CONSTRAINT_UNIQUE',
    });
  });
});
