import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeFor, mostSevereExitCode } from '../../src/cli/exit-code.js';
import { forEachName } from '../../src/cli/for-each-name.js';
import { formatBytes } from '../../src/cli/format-bytes.js';
import { formatDuration } from '../../src/cli/format-duration.js';
import { formatError } from '../../src/cli/format-error.js';
import { formatTable } from '../../src/cli/format-table.js';
import { parseKeyValues } from '../../src/cli/parse-key-values.js';
import { ProgressLine } from '../../src/cli/progress-line.js';
import { SubjectError } from '../../src/cli/subject-error.js';
import { terminalSafe, terminalSafeJson } from '../../src/cli/terminal-safe.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { DbBusyError, DbOpenError } from '../../src/db/index.js';
import { HostError } from '../../src/sandbox/errors.js';

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

describe('mostSevereExitCode', () => {
  it('should rank failure over usage over not found over conflict over ok, whatever the order', () => {
    expect(mostSevereExitCode([])).toBe(EXIT.OK);
    expect(mostSevereExitCode([EXIT.OK, EXIT.OK])).toBe(EXIT.OK);
    expect(mostSevereExitCode([EXIT.CONFLICT, EXIT.NOT_FOUND])).toBe(EXIT.NOT_FOUND);
    expect(mostSevereExitCode([EXIT.NOT_FOUND, EXIT.CONFLICT])).toBe(EXIT.NOT_FOUND);
    expect(mostSevereExitCode([EXIT.CONFLICT, EXIT.USAGE, EXIT.NOT_FOUND])).toBe(EXIT.USAGE);
    expect(mostSevereExitCode([EXIT.NOT_FOUND, EXIT.FAILURE, EXIT.USAGE])).toBe(EXIT.FAILURE);
  });

  it('should never turn an unknown non-zero code into success', () => {
    expect(mostSevereExitCode([EXIT.OK, 7, EXIT.CONFLICT])).toBe(7);
  });
});

describe('forEachName', () => {
  it('should run every name past failures, print each error, and resolve the most severe code', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), errIsTty: false };
    const code = await forEachName('sandbox', ['a', 'ghost', 'b', 'busy'], io, false, async (name) => {
      if (name === 'ghost') throw new HostError('SANDBOX_NOT_FOUND', `sandbox "${name}" does not exist`);
      if (name === 'busy') throw new HostError('SANDBOX_RUNNING', `sandbox "${name}" is running`);
      return { text: `${name}\tok`, json: { name } };
    });
    expect(code).toBe(EXIT.NOT_FOUND);
    expect(out).toEqual(['a\tok\n', 'b\tok\n']);
    expect(err).toEqual([
      'msb: sandbox "ghost" does not exist [SANDBOX_NOT_FOUND]\n',
      'msb: sandbox "busy" is running [SANDBOX_RUNNING]\n',
    ]);
  });

  it('should print the successes as one JSON array at the end with json', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), errIsTty: false };
    const code = await forEachName('sandbox', ['a', 'ghost', 'b'], io, true, async (name) => {
      if (name === 'ghost') throw new HostError('SANDBOX_NOT_FOUND', `sandbox "${name}" does not exist`);
      return { text: `${name}\tok`, json: { name } };
    });
    expect(code).toBe(EXIT.NOT_FOUND);
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!)).toEqual([{ name: 'a' }, { name: 'b' }]);
    expect(err).toEqual(['msb: sandbox "ghost" does not exist [SANDBOX_NOT_FOUND]\n']);
  });

  it('should let a UsageError end the command at once', async () => {
    const io = { out: () => undefined, err: () => undefined, errIsTty: false };
    const seen: string[] = [];
    await expect(
      forEachName('sandbox', ['a', 'b'], io, false, async (name) => {
        seen.push(name);
        throw new UsageError('stop: bad --timeout', 'stop');
      }),
    ).rejects.toBeInstanceOf(UsageError);
    expect(seen).toEqual(['a']);
  });

  it('should format an error without a code as its message alone', () => {
    expect(formatError(new Error('boom'))).toBe('msb: boom\n');
    expect(formatError('plain')).toBe('msb: plain\n');
  });
});

describe('terminalSafe and terminalSafeJson', () => {
  it('should escape C0, DEL, C1 and bidi controls and leave the rest, backslashes included', () => {
    expect(terminalSafe('a\u001b]0;t\u0007b')).toBe('a\\x1b]0;t\\x07b');
    expect(terminalSafe('l1\nl2\r\t\u007f\u009b\u202e')).toBe('l1\\nl2\\r\\t\\x7f\\x9b\\u202e');
    expect(terminalSafe('café \\n ✓')).toBe('café \\n ✓');
  });

  it('should write JSON that parses back to the same value with no raw control character', () => {
    const value = { name: 'a\u001b[2J\u009b\u2028', n: 1, list: ['\u007f'] };
    const text = terminalSafeJson(value);
    expect(text).not.toMatch(/[\u007f-\u009f\u2028]/);
    expect(text).toContain('\\u009b');
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('formatError with a subject and the database', () => {
  const path = '/srv/msb/db/msb.db';

  it('should name the sandbox unless the message quotes it already', () => {
    const missing = new HostError('SANDBOX_NOT_FOUND', 'sandbox "web" does not exist');
    expect(formatError(new SubjectError('sandbox', 'web', missing), path)).toBe(
      'msb: sandbox "web" does not exist [SANDBOX_NOT_FOUND]\n',
    );
    expect(formatError(new SubjectError('volume', 'v', new Error('EACCES: permission denied')), path)).toBe(
      'msb: volume "v": EACCES: permission denied\n',
    );
    expect(exitCodeFor(new SubjectError('sandbox', 'web', missing))).toBe(EXIT.NOT_FOUND);
  });

  it('should name the database file for a SqliteError and a DbBusyError, keeping the error intact', () => {
    const db = new Database(':memory:');
    let sqlite: unknown;
    try {
      db.exec('SELECT * FROM nowhere');
    } catch (err) {
      sqlite = err;
    }
    db.close();
    expect(formatError(sqlite, path)).toBe(`msb: database ${path}: no such table: nowhere [SQLITE_ERROR]\n`);
    expect(sqlite).toMatchObject({
      name: 'SqliteError',
      code: 'SQLITE_ERROR',
      message: 'no such table: nowhere',
    });
    const busy = new DbBusyError(3, 1200, sqlite);
    expect(formatError(new SubjectError('sandbox', 'web', busy), path)).toBe(
      `msb: sandbox "web": database ${path} stayed busy for 1200 ms over 3 attempts (last: SQLITE_ERROR: no such table: nowhere) [DB_BUSY]\n`,
    );
    expect(exitCodeFor(busy)).toBe(EXIT.FAILURE);
  });

  it('should not repeat a path the message already names', () => {
    const tooNew = new DbOpenError('DB_SCHEMA_TOO_NEW', path, `${path} is at schema version 9`);
    expect(formatError(tooNew, path)).toBe(`msb: ${path} is at schema version 9 [DB_SCHEMA_TOO_NEW]\n`);
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
