import { ChildProcess, execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type RuntimeStarted, startRuntime } from '../../src/host/runtime-launcher.js';
import { insertTestSandbox } from '../support/insert-test-sandbox.js';
import { openTestPools } from '../support/open-test-pools.js';
import { isAlive } from '../support/process-helpers.js';

/** The internal options ChildProcess.prototype.spawn receives (not in @types/node). */
interface SpawnOptionsWithFile {
  readonly file: string;
}

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

describe('startRuntime launcher thread', () => {
  it('should never call spawn() on the caller thread, and still report the runtime ready', async () => {
    const { pools, dir, path } = await openTestPools();
    const sandboxId = await insertTestSandbox(pools.write, 'web', { command: 'sleep', args: ['30'] });
    const spawnedHere: string[] = [];
    // Every child_process API of this thread ends in ChildProcess.prototype.spawn.
    const proto = ChildProcess.prototype as unknown as {
      spawn: (this: ChildProcess, options: SpawnOptionsWithFile) => unknown;
    };
    const original = proto.spawn;
    proto.spawn = function (options) {
      spawnedHere.push(options.file);
      return original.call(this, options);
    };
    onTestFinished(() => {
      proto.spawn = original;
    });

    const started = await startRuntime({ dbPath: path, sandboxName: 'web', sandboxId, msbHome: dir });
    onTestFinished(() => {
      try {
        process.kill(-started.runtimePid, 'SIGKILL');
      } catch {
        // already gone
      }
    });

    expect(spawnedHere).toEqual([]);
    expect(isAlive(started.runtimePid)).toBe(true);
    expect(pools.read.get('SELECT pid FROM run WHERE id = @id', { id: started.runId }, 'pluck')).toBe(
      started.runtimePid,
    );
  });
});
