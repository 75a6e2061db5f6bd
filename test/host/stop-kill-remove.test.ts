import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPidAlive } from '../../src/host/processes.js';
import { startSandbox } from '../../src/host/start-sandbox.js';
import { killSandbox, removeSandbox, stopSandbox } from '../../src/host/stop-sandbox.js';
import { HostError } from '../../src/sandbox/errors.js';
import { sandboxDir } from '../../src/sandbox/paths.js';
import { openTestPools } from '../support/open-test-pools.js';
import {
  deadPid,
  exited,
  spawnDetached,
  spawnFakeRuntime,
  spawnUnrelatedProcess,
} from '../support/processes.js';
import { seedSandbox } from '../support/seed.js';

const RUN =
  'SELECT status, termination_reason, exit_code, exit_signal, terminated_at FROM run WHERE id = @id';
const STATUS = 'SELECT status FROM sandbox WHERE name = @name';

describe('stopSandbox', () => {
  it('should SIGKILL a runtime that ignores SIGTERM after the timeout and record the run itself', async () => {
    const { pools, dir } = await openTestPools();
    const runtime = await spawnFakeRuntime(join(dir, 'signals.txt'), true);
    const { runId } = await seedSandbox(pools, 'stuck', { pid: runtime.pid });

    const result = await stopSandbox(pools, { name: 'stuck', timeoutMs: 300 });

    expect(result.forced).toBe(true);
    expect(await exited(runtime)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(readFileSync(join(dir, 'signals.txt'), 'utf8')).toBe('ignored SIGTERM\n');
    expect(result.run).toMatchObject({
      id: runId,
      status: 'Terminated',
      terminationReason: 'Signal',
      exitSignal: 'SIGKILL',
    });
    expect(pools.read.get(RUN, { id: runId })).toMatchObject({
      status: 'Terminated',
      exit_signal: 'SIGKILL',
    });
    expect(pools.read.get(STATUS, { name: 'stuck' }, 'pluck')).toBe('Stopped');
  });

  it('should record InternalError when the runtime exits on SIGTERM without recording its run', async () => {
    const { pools, dir } = await openTestPools();
    const runtime = await spawnFakeRuntime(join(dir, 'signals.txt'));
    const { runId } = await seedSandbox(pools, 'mute', { pid: runtime.pid });

    const result = await stopSandbox(pools, { name: 'mute', timeoutMs: 5_000 });

    expect(result.forced).toBe(false);
    expect(readFileSync(join(dir, 'signals.txt'), 'utf8')).toBe('got SIGTERM\n');
    expect(pools.read.get(RUN, { id: runId })).toMatchObject({
      status: 'Terminated',
      termination_reason: 'InternalError',
    });
    expect(pools.read.get(STATUS, { name: 'mute' }, 'pluck')).toBe('Stopped');
  });

  it('should treat a runtime whose pid now names an unrelated process as crashed, never signalling that process', async () => {
    const { pools } = await openTestPools();
    const unrelated = await spawnUnrelatedProcess();
    const { runId } = await seedSandbox(pools, 'reused', { pid: unrelated });

    const started = performance.now();
    await expect(stopSandbox(pools, { name: 'reused', timeoutMs: 2_000 })).rejects.toMatchObject({
      name: 'HostError',
      code: 'SANDBOX_NOT_RUNNING',
    });

    expect(performance.now() - started).toBeLessThan(2_000);
    expect(pools.read.get(RUN, { id: runId })).toMatchObject({
      status: 'Terminated',
      termination_reason: 'InternalError',
      exit_signal: null,
    });
    expect(pools.read.get(STATUS, { name: 'reused' }, 'pluck')).toBe('Crashed');
    expect(isPidAlive(unrelated)).toBe(true);
  });

  it('should mark a Running sandbox with no run yet Stopped', async () => {
    const { pools } = await openTestPools();
    await seedSandbox(pools, 'starting');
    expect(await stopSandbox(pools, { name: 'starting' })).toEqual({ run: undefined, forced: false });
    expect(pools.read.get(STATUS, { name: 'starting' }, 'pluck')).toBe('Stopped');
  });

  it('should refuse a missing sandbox and a stopped one with their codes', async () => {
    expect.assertions(3);
    const { pools } = await openTestPools();
    await seedSandbox(pools, 'idle', { status: 'Stopped' });
    await expect(stopSandbox(pools, { name: 'ghost' })).rejects.toMatchObject({
      code: 'SANDBOX_NOT_FOUND',
      message: 'sandbox "ghost" does not exist',
    });
    await expect(stopSandbox(pools, { name: 'idle' })).rejects.toBeInstanceOf(HostError);
    await expect(stopSandbox(pools, { name: 'idle' })).rejects.toMatchObject({ code: 'SANDBOX_NOT_RUNNING' });
  });

  it('should treat a sandbox whose runtime already died as not running (reconciled to Crashed)', async () => {
    const { pools } = await openTestPools();
    await seedSandbox(pools, 'dead', { pid: await deadPid() });
    await expect(stopSandbox(pools, { name: 'dead' })).rejects.toMatchObject({ code: 'SANDBOX_NOT_RUNNING' });
    expect(pools.read.get(STATUS, { name: 'dead' }, 'pluck')).toBe('Crashed');
  });
});

describe('killSandbox', () => {
  it('should SIGKILL the runtime process group, confirm it, and record Signal/SIGKILL and Stopped', async () => {
    const { pools } = await openTestPools();
    // A runtime with a workload in its process group, as the real runtime has.
    const runtime = await spawnDetached('sh', ['-c', 'sleep 30 & echo $!; wait']);
    const workload = Number(runtime.firstLine);
    const { runId } = await seedSandbox(pools, 'web', { pid: runtime.pid });

    const run = await killSandbox(pools, 'web');

    expect(await exited(runtime)).toEqual({ code: null, signal: 'SIGKILL' });
    await expect.poll(() => isPidAlive(workload), { timeout: 5_000 }).toBe(false);
    expect(run).toMatchObject({
      id: runId,
      status: 'Terminated',
      terminationReason: 'Signal',
      exitSignal: 'SIGKILL',
    });
    expect(pools.read.get(RUN, { id: runId })).toMatchObject({
      status: 'Terminated',
      exit_signal: 'SIGKILL',
    });
    expect(pools.read.get(STATUS, { name: 'web' }, 'pluck')).toBe('Stopped');
  });

  it('should treat a runtime whose pid now names an unrelated process as crashed, never killing that process', async () => {
    const { pools } = await openTestPools();
    const unrelated = await spawnUnrelatedProcess();
    const { runId } = await seedSandbox(pools, 'reused', { pid: unrelated });

    await expect(killSandbox(pools, 'reused')).rejects.toMatchObject({
      name: 'HostError',
      code: 'SANDBOX_NOT_RUNNING',
    });

    expect(pools.read.get(RUN, { id: runId })).toMatchObject({
      status: 'Terminated',
      termination_reason: 'InternalError',
    });
    expect(pools.read.get(STATUS, { name: 'reused' }, 'pluck')).toBe('Crashed');
    expect(isPidAlive(unrelated)).toBe(true);
  });

  it('should refuse a stopped sandbox with SANDBOX_NOT_RUNNING', async () => {
    const { pools } = await openTestPools();
    await seedSandbox(pools, 'idle', { status: 'Stopped' });
    await expect(killSandbox(pools, 'idle')).rejects.toMatchObject({
      code: 'SANDBOX_NOT_RUNNING',
      message: expect.stringContaining('"idle"'),
    });
  });
});

describe('removeSandbox', () => {
  it('should refuse a running sandbox and keep its row and directory', async () => {
    const { pools, dir: home } = await openTestPools();
    const runtime = await spawnDetached('sh', ['-c', 'echo ready; exec sleep 30']);
    await seedSandbox(pools, 'web', { pid: runtime.pid });
    mkdirSync(sandboxDir(home, 'web'), { recursive: true });
    await expect(removeSandbox(pools, { home, name: 'web' })).rejects.toMatchObject({
      code: 'SANDBOX_RUNNING',
    });
    expect(pools.read.get(STATUS, { name: 'web' }, 'pluck')).toBe('Running');
    expect(existsSync(sandboxDir(home, 'web'))).toBe(true);
  });

  it('should delete a stopped sandbox with its runs and metrics (cascade) and its directory', async () => {
    const { pools, dir: home } = await openTestPools();
    const { record } = await seedSandbox(pools, 'web', { pid: await deadPid(), status: 'Stopped' });
    await pools.write.transaction((tx) =>
      tx.run(
        `INSERT INTO sandbox_metric (sandbox_id, cpu_percent, memory_bytes, disk_read_bytes, disk_write_bytes,
           net_rx_bytes, net_tx_bytes) VALUES (@id, 1, 2, 3, 4, 5, 6)`,
        { id: record.id },
      ),
    );
    mkdirSync(sandboxDir(home, 'web'), { recursive: true });
    writeFileSync(join(sandboxDir(home, 'web'), 'stdout.log'), 'x');

    await removeSandbox(pools, { home, name: 'web' });

    for (const table of ['sandbox', 'run', 'sandbox_metric']) {
      expect(pools.read.get(`SELECT count(*) FROM ${table}`, undefined, 'pluck')).toBe(0);
    }
    expect(existsSync(sandboxDir(home, 'web'))).toBe(false);
  });

  it('should remove a sandbox whose runtime died (reconciled to Crashed first)', async () => {
    const { pools, dir: home } = await openTestPools();
    await seedSandbox(pools, 'dead', { pid: await deadPid() });
    await removeSandbox(pools, { home, name: 'dead' });
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
  });

  it('should refuse a missing sandbox with SANDBOX_NOT_FOUND', async () => {
    const { pools, dir: home } = await openTestPools();
    await expect(removeSandbox(pools, { home, name: 'ghost' })).rejects.toMatchObject({
      code: 'SANDBOX_NOT_FOUND',
    });
  });
});

describe('startSandbox', () => {
  it('should refuse a sandbox whose runtime is alive without touching it', async () => {
    const { pools, dir: home } = await openTestPools();
    const runtime = await spawnDetached('sh', ['-c', 'echo ready; exec sleep 30']);
    const { record } = await seedSandbox(pools, 'web', { pid: runtime.pid });
    await expect(startSandbox(pools, { home, name: 'web' })).rejects.toMatchObject({
      code: 'SANDBOX_RUNNING',
    });
    expect(
      pools.read.get('SELECT count(*) FROM run WHERE sandbox_id = @id', { id: record.id }, 'pluck'),
    ).toBe(1);
  });
});
