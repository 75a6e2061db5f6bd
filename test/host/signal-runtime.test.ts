import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPidAlive, signalRuntime, waitForPidExit } from '../../src/host/processes.js';
import { makeTempDir } from '../support/open-test-pools.js';
import {
  deadPid,
  exited,
  spawnDetached,
  spawnFakeRuntime,
  spawnUnrelatedProcess,
} from '../support/processes.js';

describe('signalRuntime', () => {
  it('should never signal a live pid that does not lead its own group (a reused pid), whatever the target', async () => {
    const pid = await spawnUnrelatedProcess();

    expect(signalRuntime(pid, 'SIGKILL', 'group')).toBe(false);
    expect(signalRuntime(pid, 'SIGTERM', 'process')).toBe(false);

    expect(await waitForPidExit(pid, 300)).toBe(false);
    expect(isPidAlive(pid)).toBe(true);
  });

  it('should send SIGTERM to a runtime that leads its group, and only to it', async () => {
    const file = join(makeTempDir(), 'signals.txt');
    const runtime = await spawnFakeRuntime(file);

    expect(signalRuntime(runtime.pid, 'SIGTERM', 'process')).toBe(true);

    expect(await exited(runtime)).toEqual({ code: 0, signal: null });
    expect(readFileSync(file, 'utf8')).toBe('got SIGTERM\n');
  });

  it('should SIGKILL the whole group of a runtime, its workload included', async () => {
    const leader = await spawnDetached('sh', ['-c', 'sleep 1000 & echo $!; exec sleep 1000']);
    const workloadPid = Number(leader.firstLine);

    expect(signalRuntime(leader.pid, 'SIGKILL', 'group')).toBe(true);

    expect(await exited(leader)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await waitForPidExit(workloadPid, 5_000)).toBe(true);
  });

  it('should reach the rest of a group whose leader is gone, and report a dead pid with no group as not signalled', async () => {
    const leader = await spawnDetached('sh', ['-c', 'sleep 1000 & echo $!; sleep 0.3']);
    const workloadPid = Number(leader.firstLine);
    if (leader.exitCode === null) await once(leader, 'exit');

    expect(signalRuntime(leader.pid, 'SIGKILL', 'group')).toBe(true);
    expect(await waitForPidExit(workloadPid, 5_000)).toBe(true);

    const dead = await deadPid();
    expect(signalRuntime(dead, 'SIGKILL', 'group')).toBe(false);
    expect(signalRuntime(dead, 'SIGTERM', 'process')).toBe(false);
  });

  it('should refuse pids that address more than one process with RangeError', () => {
    expect(() => signalRuntime(1, 'SIGKILL', 'group')).toThrow(RangeError);
    expect(() => signalRuntime(0, 'SIGKILL', 'process')).toThrow('0 is not a runtime pid');
    expect(() => signalRuntime(-5, 'SIGKILL', 'process')).toThrow(RangeError);
  });
});
