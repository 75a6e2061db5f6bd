import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { RuntimeStarted } from '../../src/host/runtime/start-runtime.js';
import { openTestPools } from '../support/open-test-pools.js';
import { insertTestSandbox } from './insert-test-sandbox.js';
import { isAlive } from './process-helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/start-then-exit.mjs', import.meta.url));

describe('startRuntime', () => {
  it('should let the host exit after ready while the runtime keeps running', async () => {
    const { pools, dir, path } = await openTestPools();
    const sandboxId = await insertTestSandbox(pools.write, 'web', { command: 'sleep', args: ['30'] });

    const began = performance.now();
    // The fixture never calls process.exit: it ends only if nothing of the runtime is referenced.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [FIXTURE, path, 'web', String(sandboxId), dir],
      {
        timeout: 15_000,
      },
    );
    const started = JSON.parse(stdout) as RuntimeStarted;
    onTestFinished(() => {
      try {
        process.kill(-started.runtimePid, 'SIGKILL');
      } catch {
        // already gone
      }
    });

    expect(performance.now() - began).toBeLessThan(10_000);
    expect(isAlive(started.runtimePid)).toBe(true);
    expect(isAlive(started.workloadPid)).toBe(true);
    expect(
      pools.read.get('SELECT pid, status FROM run WHERE id = @id AND sandbox_id = @sandboxId', {
        id: started.runId,
        sandboxId,
      }),
    ).toEqual({ pid: started.runtimePid, status: 'Running' });
  });
});
