import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { DbPools } from '../../src/db/index.js';
import { claimRun } from '../../src/runtime/claim-run.js';
import { runMetricsSampler } from '../../src/runtime/run-metrics-sampler.js';
import { insertTestSandbox } from '../support/insert-test-sandbox.js';
import { openTestPools } from '../support/open-test-pools.js';
import { waitFor } from '../support/process-helpers.js';

function sleeper(): number {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  return child.pid!;
}

/** A sandbox with its Running run, as a runtime leaves them before it samples. */
async function runningSandbox(
  pools: DbPools,
  command: string,
): Promise<{ sandboxId: number; runId: number }> {
  const sandboxId = await insertTestSandbox(pools.write, 'web', { command });
  const runId = (await claimRun(pools.write, { id: sandboxId, name: 'web', pid: process.pid })).runId;
  return { sandboxId, runId };
}

function count(pools: DbPools, sandboxId: number): number {
  return pools.read.get<number>(
    'SELECT count(*) FROM sandbox_metric WHERE sandbox_id = @sandboxId',
    { sandboxId },
    'pluck',
  )!;
}

describe('runMetricsSampler', () => {
  it('should store the first sample at once, then one per interval, and nothing after stop', async () => {
    const { pools } = await openTestPools();
    const { sandboxId, runId } = await runningSandbox(pools, 'sleep');
    const errors: unknown[] = [];

    const sampler = runMetricsSampler(pools.write, {
      runId,
      pid: sleeper(),
      intervalMs: 50,
      onError: (err) => errors.push(err),
    });
    const first = await sampler.firstSample;

    expect(first).toBe(true);
    expect(count(pools, sandboxId)).toBe(1);
    await waitFor('5 samples', () => count(pools, sandboxId) >= 5, 5_000);
    await sampler.stop();
    const stopped = count(pools, sandboxId);
    expect(sampler.stored).toBe(stopped);
    await sleep(200);
    expect(count(pools, sandboxId)).toBe(stopped);
    expect(errors).toEqual([]);
  });

  it('should skip samples of a process that is gone, without an error', async () => {
    const { pools } = await openTestPools();
    const { sandboxId, runId } = await runningSandbox(pools, 'true');
    const child = spawn('true');
    await once(child, 'exit');
    const errors: unknown[] = [];

    const sampler = runMetricsSampler(pools.write, {
      runId,
      pid: child.pid!,
      intervalMs: 20,
      onError: (err) => errors.push(err),
    });
    const first = await sampler.firstSample;
    await sleep(100);
    await sampler.stop();

    expect(first).toBe(false);
    expect(count(pools, sandboxId)).toBe(0);
    expect(errors).toEqual([]);
  });

  it("should reject the first sample with SQLite's own error, then hand later ones to onError and keep sampling", async () => {
    expect.assertions(4);
    const { pools } = await openTestPools();
    const { runId } = await runningSandbox(pools, 'sleep');
    await pools.write.transaction((tx) =>
      tx.run(
        `CREATE TRIGGER full BEFORE INSERT ON sandbox_metric BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
      ),
    );
    const errors: unknown[] = [];

    const sampler = runMetricsSampler(pools.write, {
      runId,
      pid: sleeper(),
      intervalMs: 20,
      onError: (err) => errors.push(err),
    });
    await expect(sampler.firstSample).rejects.toMatchObject({
      code: 'SQLITE_CONSTRAINT_TRIGGER',
      message: 'disk full',
    });
    await waitFor('two failed later samples', () => errors.length >= 2, 5_000);
    await sampler.stop();

    await expect(sampler.firstSample).rejects.toBeInstanceOf(Database.SqliteError);
    expect(errors[0]).toMatchObject({ code: 'SQLITE_CONSTRAINT_TRIGGER' });
    expect(sampler.stored).toBe(0);
  });

  it('should stop sampling and call onRunEnded once when the host records the sandbox Stopped', async () => {
    const { pools } = await openTestPools();
    const { sandboxId, runId } = await runningSandbox(pools, 'sleep');
    let ended = 0;

    const sampler = runMetricsSampler(pools.write, {
      runId,
      pid: sleeper(),
      intervalMs: 20,
      onRunEnded: () => ended++,
    });
    await sampler.firstSample;
    await pools.write.transaction((tx) => tx.run(`UPDATE sandbox SET status = 'Stopped'`));
    await waitFor('onRunEnded', () => ended > 0, 5_000);
    const stored = count(pools, sandboxId);
    await sleep(150);
    await sampler.stop();

    expect(ended).toBe(1);
    expect(count(pools, sandboxId)).toBe(stored);
    expect(sampler.stored).toBe(stored);
  });

  it('should reject the first sample with SANDBOX_NOT_STARTABLE when the run was already terminated', async () => {
    expect.assertions(2);
    const { pools } = await openTestPools();
    const { sandboxId, runId } = await runningSandbox(pools, 'sleep');
    await pools.write.transaction((tx) => tx.run(`UPDATE run SET status = 'Terminated'`));

    const sampler = runMetricsSampler(pools.write, { runId, pid: sleeper(), intervalMs: 20 });

    await expect(sampler.firstSample).rejects.toMatchObject({
      name: 'RuntimeError',
      code: 'SANDBOX_NOT_STARTABLE',
    });
    await sampler.stop();
    expect(count(pools, sandboxId)).toBe(0);
  });
});
