import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isPidAlive } from '../../src/host/processes.js';
import { MSB_MAIN, msb, newMsbHome, openHomeDb } from '../support/msb-cli.js';

describe('msb fleet (the npm start job)', () => {
  it('should boot the fleet, show it Running, then stop and remove it, reporting sandboxes/s and busy retries', async () => {
    const home = newMsbHome();
    const result = await msb(home, ['fleet', '--count', '6', '--json']);

    expect(result.code).toBe(0);
    const [table, summaryJson] = splitTableAndJson(result.stdout);
    expect(table.split('\n').slice(1)).toEqual(
      Array.from({ length: 6 }, () => expect.stringMatching(/^fleet-\d\s+Running\s+\d+\s+\d+\.\d%\s+\d/)),
    );
    const summary = JSON.parse(summaryJson) as Record<string, unknown>;
    expect(summary).toMatchObject({ sandboxes: 6, booted: 6, failed: 0, busyTimeouts: 0 });
    expect(summary.sandboxesPerSecond).toBeGreaterThan(0);
    expect(summary.bootMs).toEqual({ median: expect.any(Number), p99: expect.any(Number) });
    expect(summary.busyRetries).toEqual({
      host: expect.any(Number),
      runtimes: expect.any(Number),
      total: expect.any(Number),
    });
    expect(result.stderr).toContain('boot 6/6 · failed 0');
    expect(result.stderr).toContain('stop+rm 6/6 · failed 0');

    const db = openHomeDb(home);
    expect(db.prepare('SELECT count(*) FROM sandbox').pluck().get()).toBe(0);
    const pids = table
      .split('\n')
      .slice(1)
      .map((line) => Number(line.split(/\s+/)[2]));
    expect(pids.filter((pid) => isPidAlive(pid))).toEqual([]);
  });

  it('should print the human summary by default', async () => {
    const home = newMsbHome();
    const result = await msb(home, ['fleet', '--count', '2']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /booted 2\/2 sandboxes in [\d.]+ s: [\d.]+ sandboxes\/s \(boot median \d+ ms, p99 \d+ ms\)\n/,
    );
    expect(result.stdout).toMatch(/busy retries: \d+ \(host writer \d+, runtimes \d+\); busy timeouts: 0\n$/);
  });
});

describe('msb fleet interrupted', () => {
  it('should stop and remove what it booted on Ctrl-C (SIGINT) and exit 130', async () => {
    const home = newMsbHome();
    const child = spawn(process.execPath, [MSB_MAIN, 'fleet', '--count', '4'], {
      env: { ...process.env, MSB_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      // The first progress line means the SIGINT handler is installed.
      if (!stderr.includes('boot ') && (stderr + chunk).includes('boot ')) child.kill('SIGINT');
      stderr += chunk;
    });
    const [code] = (await once(child, 'exit')) as [number | null];

    expect(code).toBe(130);
    expect(stderr).toContain('interrupted; stopping the sandboxes booted so far');
    expect(stderr).toMatch(/stop\+rm \d\/\d · failed 0/);
    expect(openHomeDb(home).prepare('SELECT count(*) FROM sandbox').pluck().get()).toBe(0);
  });
});

function splitTableAndJson(stdout: string): [string, string] {
  const start = stdout.indexOf('{');
  return [stdout.slice(0, start).trimEnd(), stdout.slice(start)];
}
