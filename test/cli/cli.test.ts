import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitForPidExit } from '../../src/host/processes.js';
import { msb, newMsbHome, openHomeDb } from '../support/msb-cli.js';

const COMMANDS = [
  'create',
  'start',
  'stop',
  'kill',
  'rm',
  'ls',
  'inspect',
  'logs',
  'metrics',
  'image',
  'volume',
  'fleet',
];

describe('msb --help', () => {
  it('should list every command and the exit codes, exit 0, and not create a database', async () => {
    const home = newMsbHome();
    const result = await msb(home, ['--help']);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(result.stdout).toContain('3  not found');
    expect(existsSync(join(home, 'db'))).toBe(false);
  });

  it('should print each command usage on --help and -h with exit 0', async () => {
    const home = newMsbHome();
    const results = await Promise.all(COMMANDS.map((c) => msb(home, [c, c === 'image' ? '-h' : '--help'])));
    results.forEach((result, i) => {
      expect(result.code, COMMANDS[i]).toBe(0);
      expect(result.stdout, COMMANDS[i]).toMatch(new RegExp(`^Usage: msb ${COMMANDS[i]}`));
    });
  });

  it('should exit 2 without a command', async () => {
    expect((await msb(newMsbHome(), [])).code).toBe(2);
  });
});

describe('msb usage errors', () => {
  it('should exit 2 on an unknown command, an unknown option or a bad value, naming it', async () => {
    const home = newMsbHome();
    const unknown = await msb(home, ['frobnicate']);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "frobnicate"'),
    });
    const option = await msb(home, ['ls', '--colour']);
    expect(option).toMatchObject({ code: 2, stderr: expect.stringContaining("'--colour'") });
    expect(option.stderr).toContain('Usage: msb ls');
    const value = await msb(home, ['fleet', '--count', 'many']);
    expect(value).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--count must be a whole number from 1 to 1000, got "many"'),
    });
    const missing = await msb(home, ['stop']);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('stop: missing <name>') });
    const env = await msb(home, ['create', 'a', '--env', 'NOEQUALS', '--', 'true']);
    expect(env).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--env expects KEY=VALUE, got "NOEQUALS"'),
    });
    const name = await msb(home, ['create', '../x', '--', 'true']);
    expect(name).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('sandbox name "../x" is invalid'),
    });
  });
});

describe('msb not found and conflicts', () => {
  it('should exit 3 naming the missing sandbox or volume', async () => {
    const home = newMsbHome();
    for (const args of [
      ['stop', 'ghost'],
      ['kill', 'ghost'],
      ['start', 'ghost'],
      ['rm', 'ghost'],
      ['inspect', 'ghost'],
      ['metrics', 'ghost'],
    ]) {
      const result = await msb(home, args);
      expect(result.code, args.join(' ')).toBe(3);
      expect(result.stderr, args.join(' ')).toContain('sandbox "ghost" does not exist [SANDBOX_NOT_FOUND]');
    }
    expect(await msb(home, ['volume', 'rm', 'ghost'])).toMatchObject({
      code: 3,
      stderr: expect.stringContaining('volume "ghost" does not exist'),
    });
  });

  it('should exit 4 when creating over an existing sandbox or leftover directory without --replace', async () => {
    const home = newMsbHome();
    expect((await msb(home, ['create', 'web', '--', 'sleep', '60'])).code).toBe(0);
    const exists = await msb(home, ['create', 'web', '--', 'sleep', '60']);
    expect(exists).toMatchObject({
      code: 4,
      stderr: expect.stringContaining('sandbox "web" already exists'),
    });
    expect(await msb(home, ['start', 'web'])).toMatchObject({
      code: 4,
      stderr: expect.stringContaining('SANDBOX_RUNNING'),
    });
    expect(await msb(home, ['rm', 'web'])).toMatchObject({
      code: 4,
      stderr: expect.stringContaining('"web" is running'),
    });

    mkdirSync(join(home, 'sandboxes', 'left'), { recursive: true });
    const leftover = await msb(home, ['create', 'left', '--', 'true']);
    expect(leftover).toMatchObject({
      code: 4,
      stderr: expect.stringContaining(join(home, 'sandboxes', 'left')),
    });

    expect((await msb(home, ['kill', 'web'])).code).toBe(0);
    expect(await msb(home, ['stop', 'web'])).toMatchObject({
      code: 4,
      stderr: expect.stringContaining('not running'),
    });
    expect(openHomeDb(home).prepare('SELECT name FROM sandbox').pluck().all()).toEqual(['web']);
  });

  it('should replace a running sandbox with --replace: old runtime stopped, one sandbox with a new run', async () => {
    const home = newMsbHome();
    expect((await msb(home, ['create', 'web', '--', 'sleep', '60'])).code).toBe(0);
    const db = openHomeDb(home);
    const oldPid = db.prepare('SELECT pid FROM run').pluck().get() as number;
    expect((await msb(home, ['create', 'web', '--replace', '--', 'sleep', '61'])).code).toBe(0);
    const runs = db.prepare('SELECT pid, status FROM run').all() as { pid: number; status: string }[];
    expect(runs).toEqual([{ pid: expect.any(Number), status: 'Running' }]);
    expect(runs[0]?.pid).not.toBe(oldPid);
    expect(await waitForPidExit(oldPid, 5_000)).toBe(true);
    expect(db.prepare("SELECT json_extract(config, '$.args[0]') FROM sandbox").pluck().get()).toBe('61');
  });

  it('should report a workload that cannot start with exit 1, naming the sandbox, and leave it Stopped', async () => {
    const home = newMsbHome();
    const result = await msb(home, ['create', 'broken', '--', '/nonexistent/binary']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('sandbox "broken"');
    expect(result.stderr).toContain('/nonexistent/binary');
    expect(openHomeDb(home).prepare('SELECT status FROM sandbox').pluck().get()).toBe('Stopped');
  });
});

describe('msb commands that take several names', () => {
  it('should process every name past a failing one, report each failure, and exit with the most severe code', async () => {
    const home = newMsbHome();
    for (const name of ['a', 'b', 'c']) {
      expect((await msb(home, ['create', name, '--', 'sleep', '60'])).code, name).toBe(0);
    }
    const db = openHomeDb(home);
    const status = (name: string) =>
      db.prepare('SELECT status FROM sandbox WHERE name = ?').pluck().get(name) as string | undefined;

    const stop = await msb(home, ['stop', 'ghost', 'a', '--timeout', '5']);
    expect(stop.code).toBe(3);
    expect(stop.stderr).toContain('sandbox "ghost" does not exist [SANDBOX_NOT_FOUND]');
    expect(stop.stdout).toMatch(/^a\tStopped\t/m);
    expect(status('a')).toBe('Stopped');

    // Not found (3) outranks conflict (4): the exit code does not depend on the order of the names.
    const kill = await msb(home, ['kill', 'a', 'ghost', 'b']);
    expect(kill.code).toBe(3);
    expect(kill.stderr).toContain('sandbox "a" is not running (Stopped) [SANDBOX_NOT_RUNNING]');
    expect(kill.stderr).toContain('sandbox "ghost" does not exist [SANDBOX_NOT_FOUND]');
    expect(kill.stdout).toBe('b\tStopped\tSIGKILL\n');
    expect(status('b')).toBe('Stopped');

    const rm = await msb(home, ['rm', 'c', 'a', 'b']);
    expect(rm.code).toBe(4);
    expect(rm.stderr).toContain('"c" is running');
    expect(rm.stdout).toBe('a\tremoved\nb\tremoved\n');
    expect(db.prepare('SELECT name FROM sandbox').pluck().all()).toEqual(['c']);

    expect((await msb(home, ['volume', 'create', 'v'])).code).toBe(0);
    const volumes = await msb(home, ['volume', 'rm', 'ghost', 'v']);
    expect(volumes).toMatchObject({ code: 3, stdout: 'v\tremoved\n' });
    expect(db.prepare('SELECT count(*) FROM volume').pluck().get()).toBe(0);
  });
});

describe('msb volume', () => {
  it('should create, list as a table and JSON, refuse a duplicate with 4, and remove', async () => {
    const home = newMsbHome();
    expect(
      await msb(home, ['volume', 'create', 'cache', '--quota', '64', '--label', 'team=web']),
    ).toMatchObject({
      code: 0,
      stdout: 'cache\tcreated\n',
    });
    expect(existsSync(join(home, 'volumes', 'cache'))).toBe(true);
    expect((await msb(home, ['volume', 'create', 'cache'])).code).toBe(4);
    const table = await msb(home, ['volume', 'ls']);
    expect(table.stdout).toMatch(/^NAME\s+QUOTA\s+SIZE\s+LABELS/);
    expect(table.stdout).toMatch(/cache\s+64 MiB\s+0 B\s+team=web/);
    expect(JSON.parse((await msb(home, ['volume', 'ls', '--json'])).stdout)).toEqual([
      expect.objectContaining({ name: 'cache', quotaMib: 64, labels: { team: 'web' } }),
    ]);
    expect((await msb(home, ['volume', 'rm', 'cache'])).code).toBe(0);
    expect(existsSync(join(home, 'volumes', 'cache'))).toBe(false);
    expect((await msb(home, ['volume', 'bogus'])).code).toBe(2);
  });
});

describe('msb inspect and metrics', () => {
  it('should show the record, runs and samples of a running sandbox', async () => {
    const home = newMsbHome();
    expect((await msb(home, ['create', 'web', '--metrics-interval', '50', '--', 'sleep', '60'])).code).toBe(
      0,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const inspected = JSON.parse((await msb(home, ['inspect', 'web'])).stdout);
    expect(inspected).toMatchObject({
      name: 'web',
      status: 'Running',
      config: { command: 'sleep', args: ['60'], metricsIntervalMs: 50 },
      runs: [expect.objectContaining({ status: 'Running' })],
    });
    expect(inspected.pid).toBe(inspected.runs[0].pid);
    expect(inspected.metrics.length).toBeGreaterThan(1);
    const metrics = await msb(home, ['metrics', 'web', '--limit', '2']);
    expect(metrics.stdout.trimEnd().split('\n')).toHaveLength(3);
    expect(metrics.stdout).toMatch(/^SAMPLED AT\s+CPU\s+MEMORY/);
    expect(JSON.parse((await msb(home, ['metrics', 'web', '--json', '--limit', '1'])).stdout)).toEqual([
      expect.objectContaining({ memoryBytes: expect.any(Number), cpuPercent: expect.any(Number) }),
    ]);
  });
});
