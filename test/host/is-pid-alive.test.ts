import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isPidAlive, waitForPidExit } from '../../src/host/processes.js';
import { deadPid, spawnDetached } from '../support/processes.js';

describe('isPidAlive', () => {
  it('should see this process and a live child as alive', async () => {
    const child = await spawnDetached('sh', ['-c', 'echo ready; exec sleep 30']);
    expect(isPidAlive(process.pid)).toBe(true);
    expect(isPidAlive(child.pid)).toBe(true);
  });

  it('should see an exited, reaped process as dead', async () => {
    expect(isPidAlive(await deadPid())).toBe(false);
  });

  it('should see a zombie (exited, not yet reaped by its parent) as dead', async () => {
    // The child exits a moment later, once its parent has exec'd into `sleep 30`, which never reaps it
    // (a child that exited before the exec could still be reaped by the shell).
    const parent = spawn('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const [line] = (await once(parent.stdout, 'data')) as [Buffer];
    const zombie = Number(line.toString().trim());
    try {
      await expect.poll(() => processState(zombie), { timeout: 5_000 }).toBe('Z');
      expect(() => process.kill(zombie, 0)).not.toThrow();
      expect(isPidAlive(zombie)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('should refuse pids that address process groups', () => {
    expect(isPidAlive(0)).toBe(false);
    expect(isPidAlive(-1)).toBe(false);
    expect(isPidAlive(1.5)).toBe(false);
  });
});

describe('waitForPidExit', () => {
  it('should resolve true once the process dies and false on timeout', async () => {
    const child = await spawnDetached('sh', ['-c', 'echo ready; exec sleep 30']);
    expect(await waitForPidExit(child.pid, 100)).toBe(false);
    child.kill('SIGTERM');
    expect(await waitForPidExit(child.pid, 5_000)).toBe(true);
  });
});

function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}
