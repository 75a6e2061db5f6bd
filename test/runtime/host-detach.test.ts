import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type RuntimeStarted, startRuntime, stopRuntimeLauncher } from '../../src/host/runtime-launcher.js';
import { insertTestSandbox } from '../support/insert-test-sandbox.js';
import { openTestPools } from '../support/open-test-pools.js';
import { childRunning, isAlive } from '../support/process-helpers.js';

/** The internal options ChildProcess.prototype.spawn receives (not in @types/node). */
interface SpawnOptionsWithFile {
  readonly file: string;
}

const FIXTURE = fileURLToPath(new URL('./fixtures/start-then-exit.mjs', import.meta.url));
const SIGINT_FIXTURE = fileURLToPath(new URL('./fixtures/start-after-sigint.mjs', import.meta.url));

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

describe('stopRuntimeLauncher', () => {
  it('should keep a host that awaits it as its last act alive until the launcher has exited', async () => {
    const { pools, dir, path } = await openTestPools();
    const sandboxId = await insertTestSandbox(pools.write, 'web', { command: 'sleep', args: ['30'] });

    // Exit code 13 would be Node's "unsettled top-level await": the host ended while still waiting.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [FIXTURE, path, 'web', String(sandboxId), dir, 'stop-launcher'],
      { timeout: 15_000 },
    );
    const [report, last] = stdout.trim().split('\n');
    const started = JSON.parse(report!) as RuntimeStarted;
    onTestFinished(() => {
      try {
        process.kill(-started.runtimePid, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    expect(last).toBe('launcher stopped');
    expect(isAlive(started.runtimePid)).toBe(true);
  });
});

describe('startRuntime launcher process, Ctrl-C', () => {
  it("should keep the launcher when a signal reaches the host's process group", {
    timeout: 30_000,
  }, async () => {
    const { pools, dir, path } = await openTestPools();
    const sandboxId = await insertTestSandbox(pools.write, 'web', { command: 'sleep', args: ['30'] });
    const host = spawn(process.execPath, [SIGINT_FIXTURE, path, 'web', String(sandboxId), dir], {
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    onTestFinished(() => {
      try {
        process.kill(-host.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    const lines = createInterface({ input: host.stdout! });
    const next = (): Promise<string> => new Promise((resolve) => lines.once('line', resolve));
    expect(await next()).toBe('waiting');
    process.kill(-host.pid!, 'SIGINT');
    const started = JSON.parse(await next()) as RuntimeStarted;
    onTestFinished(() => {
      try {
        process.kill(-started.runtimePid, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    expect(pools.read.get('SELECT pid FROM run WHERE id = @id', { id: started.runId }, 'pluck')).toBe(
      started.runtimePid,
    );
  });
});

describe('startRuntime launcher process', () => {
  it('should spawn only its launcher process here, once, and still report every runtime ready', async () => {
    const { pools, dir, path } = await openTestPools();
    const ids = [
      await insertTestSandbox(pools.write, 'web', { command: 'sleep', args: ['30'] }),
      await insertTestSandbox(pools.write, 'db', { command: 'sleep', args: ['30'] }),
    ];
    await stopRuntimeLauncher();
    const spawnedHere: string[] = [];
    // Every child_process API of this thread ends in ChildProcess.prototype.spawn.
    const proto = ChildProcess.prototype as unknown as {
      spawn: (
        this: ChildProcess,
        options: SpawnOptionsWithFile & { readonly args: readonly string[] },
      ) => unknown;
    };
    const original = proto.spawn;
    proto.spawn = function (options) {
      spawnedHere.push(options.args.join(' '));
      return original.call(this, options);
    };
    onTestFinished(() => {
      proto.spawn = original;
    });

    const started: RuntimeStarted[] = [];
    for (const [i, name] of ['web', 'db'].entries()) {
      const runtime = await startRuntime({
        dbPath: path,
        sandboxName: name,
        sandboxId: ids[i]!,
        msbHome: dir,
      });
      started.push(runtime);
      onTestFinished(() => {
        try {
          process.kill(-runtime.runtimePid, 'SIGKILL');
        } catch {
          // already gone
        }
      });
    }

    expect(spawnedHere).toHaveLength(1);
    expect(spawnedHere[0]).toMatch(/launcher-process\.cjs --msb-runtime-launcher$/);
    for (const runtime of started) {
      expect(isAlive(runtime.runtimePid)).toBe(true);
      expect(pools.read.get('SELECT pid FROM run WHERE id = @id', { id: runtime.runId }, 'pluck')).toBe(
        runtime.runtimePid,
      );
    }
    await stopRuntimeLauncher();
    // The runtimes outlive their launcher: they are detached, in process groups of their own.
    for (const runtime of started) expect(isAlive(runtime.runtimePid)).toBe(true);
  });

  it('should fail the starts waiting on a launcher that dies, and kill their runtimes', async () => {
    const { pools, dir } = await openTestPools();
    // A runtime that never reports: its database is not there yet, so it waits up to its connect timeout.
    const missing = `${dir}/not-yet/msb.db`;
    const sandboxId = await insertTestSandbox(pools.write, 'web', { command: 'sleep', args: ['30'] });
    await stopRuntimeLauncher();
    let runtimePid: number | undefined;
    const start = startRuntime({
      dbPath: missing,
      sandboxName: 'web',
      sandboxId,
      msbHome: dir,
      connectTimeoutMs: 60_000,
      onSpawn: (pid) => {
        runtimePid = pid;
      },
    });
    await expect.poll(() => runtimePid, { timeout: 10_000 }).toBeDefined();
    const launcherPid = childRunning('launcher-process.cjs')?.pid;
    expect(launcherPid).toBeDefined();
    process.kill(launcherPid!, 'SIGKILL');

    await expect(start).rejects.toThrow(
      /launcher process exited \(SIGKILL\); killed the runtime's process group/,
    );
    await expect.poll(() => isAlive(runtimePid!), { timeout: 10_000 }).toBe(false);
    expect(pools.read.get('SELECT count(*) FROM run', undefined, 'pluck')).toBe(0);
  });
});
