import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeFor } from '../../src/cli/exit-code.js';
import { formatBytes } from '../../src/cli/format-bytes.js';
import { formatDuration } from '../../src/cli/format-duration.js';
import { formatTable } from '../../src/cli/format-table.js';
import { parseKeyValues } from '../../src/cli/parse-key-values.js';
import { ProgressLine } from '../../src/cli/progress-line.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { DbBusyError } from '../../src/db/index.js';
import { HostError } from '../../src/host/host-error.js';

describe('formatTable', () => {
  it('should pad every column but the last to its widest cell', () => {
    expect(
      formatTable(
        ['NAME', 'STATUS', 'CMD'],
        [
          ['web-long', 'Running', 'sleep 60'],
          ['a', 'Stopped', ''],
        ],
      ),
    ).toBe('NAME      STATUS   CMD\nweb-long  Running  sleep 60\na         Stopped\n');
  });
});

describe('formatBytes and formatDuration', () => {
  it('should use binary units and two time units at most', () => {
    expect([0, 1023, 1536, 3 * 1024 ** 2, 5 * 1024 ** 4].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.5 KiB',
      '3.0 MiB',
      '5.0 TiB',
    ]);
    expect([900, 61_000, 3_723_000, 90_061_000].map(formatDuration)).toEqual(['0s', '1m1s', '1h2m', '1d1h']);
  });
});

describe('exitCodeFor', () => {
  it('should map usage, not-found, conflict and other failures to their documented codes', () => {
    expect(exitCodeFor(new UsageError('x'))).toBe(EXIT.USAGE);
    expect(exitCodeFor(new HostError('INVALID_ARGUMENT', 'x'))).toBe(2);
    for (const code of ['SANDBOX_NOT_FOUND', 'IMAGE_NOT_FOUND', 'VOLUME_NOT_FOUND'] as const) {
      expect(exitCodeFor(new HostError(code, 'x')), code).toBe(3);
    }
    for (const code of [
      'SANDBOX_EXISTS',
      'SANDBOX_DIR_EXISTS',
      'SANDBOX_RUNNING',
      'SANDBOX_NOT_RUNNING',
      'IMAGE_IN_USE',
      'VOLUME_EXISTS',
    ] as const) {
      expect(exitCodeFor(new HostError(code, 'x')), code).toBe(4);
    }
    expect(exitCodeFor(new HostError('RUNTIME_START_FAILED', 'x'))).toBe(1);
    expect(exitCodeFor(Object.create(DbBusyError.prototype))).toBe(1);
    expect(exitCodeFor('a string')).toBe(1);
  });
});

describe('parseKeyValues', () => {
  it('should split at the first = and refuse an item without a key, naming the option', () => {
    expect(parseKeyValues('create', '--env', ['A=1', 'B=x=y', 'C='])).toEqual({ A: '1', B: 'x=y', C: '' });
    expect(() => parseKeyValues('create', '--env', ['=1'])).toThrow(
      new UsageError('create: --env expects KEY=VALUE, got "=1"', 'create'),
    );
  });
});

describe('ProgressLine', () => {
  it('should rewrite one line on a terminal and end it on done()', () => {
    const written: string[] = [];
    const line = new ProgressLine((s) => written.push(s), true);
    line.update('boot 1/20');
    line.update('boot 2/2');
    line.done('boot 2/2 done');
    expect(written).toEqual(['\rboot 1/20', '\rboot 2/2 ', '\rboot 2/2 done\n']);
  });

  it('should print at most one line per interval elsewhere, plus the final one', () => {
    const written: string[] = [];
    const line = new ProgressLine((s) => written.push(s), false, 60_000);
    line.update('boot 1/3');
    line.update('boot 2/3');
    line.done('boot 3/3');
    expect(written).toEqual(['boot 1/3\n', 'boot 3/3\n']);
  });
});
