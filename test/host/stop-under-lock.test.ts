import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/host/create-sandbox.js';
import { isPidAlive } from '../../src/host/processes.js';
import { stopSandbox } from '../../src/host/stop-sandbox.js';
import { msb } from '../support/msb-cli.js';
import { openTestPools } from '../support/open-test-pools.js';
import { spawnFakeRuntime } from '../support/processes.js';
import { seedSandbox } from '../support/seed.js';
import { spawnFixture } from '../support/spawn-fixture.js';

describe('stopSandbox under a held write lock', () => {
  it("should keep the workload's own exit when the lock outlasts the runtime's busy budget", async () => {
    const { pools, dir: home, path } = await openTestPools();
    const { runtime } = await createSandbox(pools, { home, name: 'web', command: 'sleep', args: ['60'] });
    // Held past the runtime's 10 s busy budget and its last blocking wait of up to 1 s: before the fix it
    // gave up (InternalError) or the host SIGKILLed it at the stop timeout while it was still trying to
    // write the exit.
    const holder = spawnFixture('hold-write-lock.mjs', [path, '13500']);
    await holder.line('locked');

    // 5 s: the workload (sleep) exits at once on SIGTERM; the rest of the wait is the lock.
    const { run, forced } = await stopSandbox(pools, { name: 'web', timeoutMs: 5_000 });

    expect(forced).toBe(false);
    expect(run).toMatchObject({
      status: 'Terminated',
      terminationReason: 'Signal',
      exitSignal: 'SIGTERM',
      exitCode: null,
    });
    expect(pools.read.get("SELECT status FROM sandbox WHERE name = 'web'", undefined, 'pluck')).toBe(
      'Stopped',
    );
    expect(isPidAlive(runtime.runtimePid)).toBe(false);
    expect(await holder.line('released')).toBe('released');
  }, 60_000);
});

describe('msb stop of a runtime that ends without recording', () => {
  it('should say the exit was not recorded and exit 1, never a plain "Stopped"', async () => {
    const { pools, dir: home } = await openTestPools();
    // A process that leads its group like a runtime and exits on SIGTERM without writing anything.
    const fake = await spawnFakeRuntime(join(home, 'signals.txt'));
    await seedSandbox(pools, 'web', { pid: fake.pid });
    const result = await msb(home, ['stop', 'web', '--timeout', '5']);
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(
        /sandbox "web" is stopped, but its workload's exit was not recorded: .*\[EXIT_UNRECORDED\]/,
      ),
    });
    expect(pools.read.get("SELECT status FROM sandbox WHERE name = 'web'", undefined, 'pluck')).toBe(
      'Stopped',
    );
    expect(pools.read.get('SELECT termination_reason FROM run', undefined, 'pluck')).toBe('InternalError');
  });
});
