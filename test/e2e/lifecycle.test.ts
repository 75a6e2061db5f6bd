import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPidAlive, waitForPidExit } from '../../src/host/processes.js';
import { lsJson, msb, newMsbHome, openHomeDb } from '../support/msb-cli.js';

// Exits 7 on SIGTERM, so a graceful stop has an exit code to show.
const TRAPPING = ['sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.05; done'];

describe('msb (built CLI) sandbox lifecycle', () => {
  it('should create → ls Running with a live pid and metrics → stop → Stopped with exit code → start → kill → rm', async () => {
    const home = newMsbHome();
    const created = await msb(home, ['create', 'web', '--metrics-interval', '100', '--', ...TRAPPING]);
    expect(created).toMatchObject({ code: 0, stdout: expect.stringMatching(/^web\tRunning\tpid \d+\n$/) });

    const [running] = await lsJson(home);
    expect(running).toMatchObject({ name: 'web', status: 'Running', exitCode: null });
    expect(running?.pid).toBeGreaterThan(0);
    expect(isPidAlive(running!.pid!)).toBe(true);
    expect(running?.memoryBytes).toBeGreaterThan(0);
    expect(running?.cpuPercent).toBeGreaterThanOrEqual(0);
    const table = (await msb(home, ['ls'])).stdout;
    expect(table).toMatch(/^NAME\s+STATUS\s+PID\s+CPU\s+MEMORY\s+UPTIME/);
    expect(table).toMatch(new RegExp(`web\\s+Running\\s+${running!.pid}\\s+\\d+\\.\\d%\\s+\\d`));

    const stopped = await msb(home, ['stop', 'web']);
    expect(stopped).toMatchObject({ code: 0, stdout: 'web\tStopped\texit code 7\n' });
    expect(isPidAlive(running!.pid!)).toBe(false);
    expect(await lsJson(home)).toEqual([
      expect.objectContaining({
        name: 'web',
        status: 'Stopped',
        pid: null,
        exitCode: 7,
      }),
    ]);
    const db = openHomeDb(home);
    expect(db.prepare('SELECT status, exit_code, terminated_at IS NOT NULL AS ended FROM run').get()).toEqual(
      {
        status: 'Terminated',
        exit_code: 7,
        ended: 1,
      },
    );

    const restarted = await msb(home, ['start', 'web']);
    expect(restarted.code).toBe(0);
    const [again] = await lsJson(home);
    expect(again).toMatchObject({ status: 'Running' });
    expect(again?.pid).not.toBe(running?.pid);

    expect(await msb(home, ['kill', 'web'])).toMatchObject({ code: 0, stdout: 'web\tStopped\tSIGKILL\n' });
    expect(await waitForPidExit(again!.pid!, 5_000)).toBe(true);
    expect(await lsJson(home)).toEqual([
      expect.objectContaining({ status: 'Stopped', exitSignal: 'SIGKILL', terminationReason: 'Signal' }),
    ]);
    expect(db.prepare('SELECT count(*) FROM run').pluck().get()).toBe(2);

    expect(await msb(home, ['rm', 'web'])).toMatchObject({ code: 0, stdout: 'web\tremoved\n' });
    expect(await lsJson(home)).toEqual([]);
    expect(existsSync(join(home, 'sandboxes', 'web'))).toBe(false);
  });

  it('should SIGKILL the process group when the workload ignores SIGTERM past --timeout, and record it', async () => {
    const home = newMsbHome();
    const stubborn = ['sh', '-c', 'trap "" TERM; echo up; while :; do sleep 0.05; done'];
    expect((await msb(home, ['create', 'stubborn', '--', ...stubborn])).code).toBe(0);
    const [row] = await lsJson(home);
    const started = performance.now();

    const stopped = await msb(home, ['stop', 'stubborn', '--timeout', '1']);

    expect(stopped).toMatchObject({ code: 0, stdout: 'stubborn\tStopped\tSIGKILL (killed after timeout)\n' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(isPidAlive(row!.pid!)).toBe(false);
    expect(await lsJson(home)).toEqual([
      expect.objectContaining({ status: 'Stopped', exitSignal: 'SIGKILL', terminationReason: 'Signal' }),
    ]);
    expect(openHomeDb(home).prepare('SELECT termination_detail FROM run').pluck().get()).toContain('1000 ms');
  });

  it('should show Crashed on the next ls after the runtime is killed with SIGKILL behind its back', async () => {
    const home = newMsbHome();
    expect((await msb(home, ['create', 'victim', '--', 'sleep', '60'])).code).toBe(0);
    const [row] = await lsJson(home);
    const pid = row!.pid!;

    process.kill(pid, 'SIGKILL');
    expect(await waitForPidExit(pid, 5_000)).toBe(true);
    const ls = await msb(home, ['ls', '--json']);

    expect(ls.code).toBe(0);
    expect(ls.stderr).toContain(`sandbox "victim" crashed (runtime pid ${pid} is gone)`);
    expect(JSON.parse(ls.stdout)).toEqual([
      expect.objectContaining({
        name: 'victim',
        status: 'Crashed',
        pid: null,
        terminationReason: 'InternalError',
      }),
    ]);
    const db = openHomeDb(home);
    expect(
      db.prepare('SELECT status, termination_reason, terminated_at IS NOT NULL AS ended FROM run').get(),
    ).toEqual({
      status: 'Terminated',
      termination_reason: 'InternalError',
      ended: 1,
    });
    // The workload lost its runtime; a crashed sandbox can be started again.
    expect((await msb(home, ['start', 'victim'])).code).toBe(0);
    expect((await lsJson(home))[0]?.status).toBe('Running');
  });
});
