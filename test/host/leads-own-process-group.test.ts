import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isRuntimeAlive, leadsOwnProcessGroup } from '../../src/host/processes.js';
import { makeTempDir } from '../support/open-test-pools.js';
import { deadPid, spawnUnrelatedProcess } from '../support/processes.js';

/** Starts `sleep` under a command name full of spaces and parentheses, detached or not. */
async function spawnOddlyNamed(detached: boolean): Promise<number> {
  const link = join(makeTempDir(), 'a) b (c) d');
  symlinkSync('/bin/sleep', link);
  const child = spawn(link, ['30'], { detached, stdio: 'ignore' });
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  await once(child, 'spawn');
  if (child.pid === undefined) throw new Error('sleep has no pid');
  const pid = child.pid;
  // The name is set at exec; wait until /proc shows it so the parse below meets the odd name.
  await expect
    .poll(() => readFileSync(`/proc/${pid}/stat`, 'utf8'), { timeout: 5_000 })
    .toContain('(a) b (c) d)');
  return pid;
}

describe('leadsOwnProcessGroup and isRuntimeAlive', () => {
  it('should read the group from /proc even when the command name holds spaces and parentheses', async () => {
    const leader = await spawnOddlyNamed(true);
    const member = await spawnOddlyNamed(false);

    expect(leadsOwnProcessGroup(leader)).toBe(true);
    expect(isRuntimeAlive(leader)).toBe(true);
    expect(leadsOwnProcessGroup(member)).toBe(false);
    expect(isRuntimeAlive(member)).toBe(false);
  });

  it('should see a dead pid and a live process that leads no group as no runtime', async () => {
    const dead = await deadPid();
    expect(leadsOwnProcessGroup(dead)).toBe(false);
    expect(isRuntimeAlive(dead)).toBe(false);
    expect(isRuntimeAlive(await spawnUnrelatedProcess())).toBe(false);
  });
});
