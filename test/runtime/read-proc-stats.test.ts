import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CLOCK_TICKS_PER_SECOND, readProcStats } from '../../src/runtime/read-proc-stats.js';
import { sumNetDev } from '../../src/runtime/sum-net-dev.js';

describe('readProcStats', () => {
  it('should use the clock tick rate getconf reports', () => {
    expect(Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())).toBe(
      CLOCK_TICKS_PER_SECOND,
    );
  });

  it('should read CPU time, age and resident memory of a live process', () => {
    const end = performance.now() + 300;
    while (performance.now() < end) {
      // burn CPU so utime moves
    }

    const stats = readProcStats(process.pid);

    expect(stats).toBeDefined();
    expect(stats!.cpuTicks).toBeGreaterThanOrEqual(20);
    expect(stats!.ageSeconds).toBeGreaterThan(0.3);
    // Within 10 % of what Node itself reports.
    expect(Math.abs(stats!.rssBytes - process.memoryUsage.rss()) / process.memoryUsage.rss()).toBeLessThan(
      0.1,
    );
  });

  it('should return undefined for a process that is gone', async () => {
    const child = spawn('true');
    await once(child, 'exit');

    expect(readProcStats(child.pid!)).toBeUndefined();
  });
});

describe('sumNetDev', () => {
  it('should sum received and sent bytes over every interface but lo', () => {
    const table = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0',
      '  eth0: 1000    6988    0    0    0     0          0         0   200    4493    0    0    0     0       0          0',
      '  eth1:   30       1    0    0    0     0          0         0     4       1    0    0    0     0       0          0',
      '',
    ].join('\n');

    expect(sumNetDev(table)).toEqual({ netRxBytes: 1030, netTxBytes: 204 });
  });
});
