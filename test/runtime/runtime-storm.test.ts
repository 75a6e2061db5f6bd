import { describe, expect, it, onTestFinished } from 'vitest';
import { startRuntime } from '../../src/host/runtime-launcher.js';
import { insertTestSandbox } from '../support/insert-test-sandbox.js';
import { openTestPools } from '../support/open-test-pools.js';
import { isAlive, waitFor } from '../support/process-helpers.js';

const N = 20;

describe('runtime processes started at once', () => {
  it(`should bring ${N} runtimes to ready on one database and record every stop`, async () => {
    const { pools, dir, path } = await openTestPools();
    const names = Array.from({ length: N }, (_, i) => `storm-${i}`);
    const ids: number[] = [];
    for (const name of names)
      ids.push(await insertTestSandbox(pools.write, name, { command: 'sleep', args: ['30'] }));

    const results = await Promise.allSettled(
      names.map((sandboxName, i) =>
        startRuntime({ dbPath: path, sandboxName, sandboxId: ids[i]!, msbHome: dir, timeoutMs: 45_000 }),
      ),
    );
    const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    onTestFinished(() => {
      for (const s of started) {
        try {
          process.kill(-s.runtimePid, 'SIGKILL');
        } catch {
          // already stopped
        }
      }
    });

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(new Set(started.map((s) => s.runId)).size).toBe(N);
    expect(started.every((s) => isAlive(s.runtimePid) && isAlive(s.workloadPid))).toBe(true);
    expect(
      pools.read.get<number>(`SELECT count(DISTINCT sandbox_id) FROM sandbox_metric`, undefined, 'pluck'),
    ).toBe(N);
    expect(
      pools.read.all(`SELECT pid FROM run WHERE status = 'Running' ORDER BY pid`, undefined, 'pluck'),
    ).toEqual(started.map((s) => s.runtimePid).sort((a, b) => a - b));

    for (const s of started) process.kill(s.runtimePid, 'SIGTERM');
    await waitFor(
      'every run to be Terminated',
      () =>
        pools.read.get<number>(`SELECT count(*) FROM run WHERE status = 'Running'`, undefined, 'pluck') === 0,
      20_000,
    );

    expect(pools.read.all(`SELECT DISTINCT termination_reason, exit_signal FROM run`)).toEqual([
      { termination_reason: 'Signal', exit_signal: 'SIGTERM' },
    ]);
    expect(
      pools.read.get<number>(`SELECT count(*) FROM sandbox WHERE status = 'Stopped'`, undefined, 'pluck'),
    ).toBe(N);
  });
});
