import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { BadInputCase, BadInputCommand } from '../support/bad-input.js';

const MSB_MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const INVALID_NAME = 'is invalid: use 1 to 63 letters, digits';

/** Runs `msb` synchronously on `home` to set it up (the database, a volume), failing loudly. */
function msbSync(home: string, args: readonly string[]): void {
  execFileSync(process.execPath, [MSB_MAIN, ...args], {
    env: { ...process.env, MSB_HOME: home },
    stdio: 'pipe',
  });
}

/** A home holding Stopped sandboxes, inserted directly: nothing runs, nothing is left to clean up. */
function withStopped(home: string, ...names: string[]): void {
  msbSync(home, ['ls']);
  const db = new Database(join(home, 'db', 'msb.db'));
  const config = {
    command: 'sleep',
    args: ['60'],
    env: {},
    workingDir: null,
    image: null,
    metricsIntervalMs: null,
  };
  try {
    const insert = db.prepare("INSERT INTO sandbox (name, config, status) VALUES (?, ?, 'Stopped')");
    for (const name of names) insert.run(name, JSON.stringify(config));
  } finally {
    db.close();
  }
}

function cli(
  name: string,
  args: readonly string[],
  exitCode: number,
  message: RegExp,
  prepare?: (dir: string) => void,
): BadInputCase {
  return {
    area: 'cli',
    name,
    prepare: (dir): BadInputCommand => {
      prepare?.(dir);
      return { program: 'msb', args };
    },
    exitCode,
    message,
  };
}

const usage = (name: string, args: readonly string[], message: RegExp, prepare?: (dir: string) => void) =>
  cli(name, args, 2, message, prepare);
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const range = (option: string, span: string, got: string): RegExp =>
  new RegExp(
    `${escapeRegExp(option)} must be a whole number from ${span}, got ${escapeRegExp(JSON.stringify(got))}`,
  );

/** Bad command lines given to `msb`. */
export const cases: readonly BadInputCase[] = [
  // The command itself.
  usage('unknown command', ['frobnicate'], /unknown command "frobnicate"/),
  usage('no command at all', [], /^Usage: msb <command>/),
  usage('an option where the command belongs', ['--json'], /unknown command "--json"/),
  usage('a command with a trailing typo', ['lss'], /unknown command "lss"/),

  // create: names.
  usage('create without a name', ['create'], /create: missing <name>/),
  usage(
    'create with a path-traversal name',
    ['create', '../x', '--', 'true'],
    /sandbox name "\.\.\/x" is invalid/,
  ),
  usage(
    'create with a name of 64 characters',
    ['create', 'a'.repeat(64), '--', 'true'],
    new RegExp(INVALID_NAME),
  ),
  usage('create with an empty name', ['create', '', '--', 'true'], /sandbox name "" is invalid/),
  usage(
    'create with an escape sequence in the name',
    ['create', 'a\u001b]0;pwned\u0007', '--', 'true'],
    /sandbox name "a\\x1b\]0;pwned\\x07" is invalid/,
  ),
  usage(
    'create with a name starting with a dash after --',
    ['create', '--', '-x', 'true'],
    /sandbox name "-x"/,
  ),
  usage('create with an unknown short option', ['create', '-x', 'true'], /create: Unknown option '-x'/),
  usage('create with a slash in the name', ['create', 'a/b', '--', 'true'], /sandbox name "a\/b" is invalid/),
  usage('create with a non-ASCII name', ['create', 'café', '--', 'true'], /sandbox name "café" is invalid/),
  usage('create with a name ending in a newline', ['create', 'web\n', '--', 'true'], /sandbox name "web\\n"/),

  // create: option values.
  usage(
    'create --env without =',
    ['create', 'a', '--env', 'NOEQUALS', '--', 'true'],
    /--env expects KEY=VALUE, got "NOEQUALS"/,
  ),
  usage(
    'create --env with an empty key',
    ['create', 'a', '--env', '=v', '--', 'true'],
    /--env expects KEY=VALUE, got "=v"/,
  ),
  usage(
    'create --env with no value at the end',
    ['create', 'a', '--env'],
    /Option '--env <value>' argument missing/,
  ),
  usage(
    'create --timeout 0',
    ['create', 'a', '--timeout', '0', '--', 'true'],
    range('--timeout', '1 to 86400', '0'),
  ),
  usage(
    'create --timeout past the timer limit',
    ['create', 'a', '--timeout', '3000000', '--', 'true'],
    range('--timeout', '1 to 86400', '3000000'),
  ),
  usage(
    'create --timeout negative',
    ['create', 'a', '--timeout', '-5', '--', 'true'],
    /'--timeout' argument is ambiguous/,
  ),
  usage(
    'create --timeout fractional',
    ['create', 'a', '--timeout', '1.5', '--', 'true'],
    range('--timeout', '1 to 86400', '1.5'),
  ),
  usage(
    'create --timeout with a unit',
    ['create', 'a', '--timeout', '30s', '--', 'true'],
    range('--timeout', '1 to 86400', '30s'),
  ),
  usage(
    'create --metrics-interval below the 10 ms floor',
    ['create', 'a', '--metrics-interval', '5', '--', 'true'],
    range('--metrics-interval', '10 to 3600000', '5'),
  ),
  usage(
    'create --metrics-interval above an hour',
    ['create', 'a', '--metrics-interval', '3600001', '--', 'true'],
    range('--metrics-interval', '10 to 3600000', '3600001'),
  ),
  usage(
    'create --metrics-interval spelt as a word',
    ['create', 'a', '--metrics-interval', 'never', '--', 'true'],
    range('--metrics-interval', '10 to 3600000', 'never'),
  ),
  usage(
    'create --json with a value',
    ['create', 'a', '--json=yes', '--', 'true'],
    /Option '--json' does not take an argument/,
  ),
  usage(
    'create --image without a tag',
    ['create', 'a', '--image', 'alpine', '--', 'true'],
    /image reference "alpine" is invalid/,
  ),
  usage(
    'create --image in upper case',
    ['create', 'a', '--image', 'Alpine:3', '--', 'true'],
    /image reference "Alpine:3" is invalid/,
  ),
  cli(
    'create --image that was never imported',
    ['create', 'a', '--image', 'ghost:1', '--', 'true'],
    3,
    /image "ghost:1" does not exist/,
  ),
  cli(
    'create running a binary that does not exist',
    ['create', 'a', '--', '/nonexistent/binary'],
    1,
    /sandbox "a": runtime did not start: .*\/nonexistent\/binary/,
  ),
  cli(
    'create with a working directory that does not exist',
    ['create', 'a', '--workdir', '/nonexistent/dir', '--', 'true'],
    1,
    /working directory \/nonexistent\/dir does not exist/,
  ),
  cli(
    'create over an existing sandbox',
    ['create', 'web', '--', 'true'],
    4,
    /sandbox "web" already exists/,
    (dir) => withStopped(dir, 'web'),
  ),
  cli(
    'create over a leftover sandbox directory',
    ['create', 'left', '--', 'true'],
    4,
    /sandboxes\/left/,
    (dir) => mkdirSync(join(dir, 'sandboxes', 'left'), { recursive: true }),
  ),

  // start, stop, kill.
  usage('start without a name', ['start'], /start: missing <name>/),
  cli('start a sandbox that does not exist', ['start', 'ghost'], 3, /sandbox "ghost" does not exist/),
  usage(
    'start --timeout above a day',
    ['start', 'a', '--timeout', '86401'],
    range('--timeout', '1 to 86400', '86401'),
  ),
  usage('stop without a name', ['stop'], /stop: missing <name>/),
  cli('stop a sandbox that does not exist', ['stop', 'ghost'], 3, /sandbox "ghost" does not exist/),
  cli('stop a stopped sandbox', ['stop', 'web'], 4, /sandbox "web" is not running/, (dir) =>
    withStopped(dir, 'web'),
  ),
  usage('stop --timeout 0', ['stop', 'a', '--timeout', '0'], range('--timeout', '1 to 86400', '0')),
  usage('stop --timeout empty', ['stop', 'a', '--timeout', ''], range('--timeout', '1 to 86400', '')),
  usage(
    'stop --timeout with an escape sequence',
    ['stop', 'a', '--timeout', '5\u001b[2J'],
    /--timeout must be a whole number from 1 to 86400, got "5\\u001b\[2J"/,
  ),
  cli('kill a sandbox that does not exist', ['kill', 'ghost'], 3, /sandbox "ghost" does not exist/),
  cli('kill a stopped sandbox', ['kill', 'web'], 4, /sandbox "web" is not running/, (dir) =>
    withStopped(dir, 'web'),
  ),
  usage(
    'kill with an option it does not take',
    ['kill', 'a', '--timeout', '5'],
    /kill: Unknown option '--timeout'/,
  ),

  // rm.
  usage(
    'rm --timeout without --force',
    ['rm', 'a', '--timeout', '5'],
    /rm: --timeout only applies with --force/,
  ),
  usage(
    'rm --force --timeout far too long',
    ['rm', 'a', '--force', '--timeout', '99999999'],
    range('--timeout', '1 to 86400', '99999999'),
  ),
  cli('rm a sandbox that does not exist', ['rm', 'ghost'], 3, /sandbox "ghost" does not exist/),
  cli(
    'rm a name that sets the terminal title',
    ['rm', 'a\u001b]0;title\u0007'],
    3,
    /sandbox "a\\x1b\]0;title\\x07" does not exist/,
  ),
  cli(
    'rm a missing name among existing ones',
    ['rm', 'web', 'ghost'],
    3,
    /sandbox "ghost" does not exist/,
    (dir) => withStopped(dir, 'web'),
  ),
  usage('rm without a name', ['rm', '--force'], /rm: missing <name>/),

  // ls, logs, inspect, metrics.
  usage(
    'ls --running with --stopped',
    ['ls', '--running', '--stopped'],
    /--running and --stopped exclude each other/,
  ),
  usage('ls -q with --json', ['ls', '-q', '--json'], /-q and --json exclude each other/),
  usage('ls with an argument', ['ls', 'web'], /ls: unexpected argument "web"/),
  usage('ls with an unknown option', ['ls', '--colour'], /ls: Unknown option '--colour'/),
  cli('logs of a sandbox that does not exist', ['logs', 'ghost'], 3, /sandbox "ghost" does not exist/),
  usage(
    'logs --stderr with --runtime',
    ['logs', 'a', '--stderr', '--runtime'],
    /--stderr and --runtime exclude each other/,
  ),
  usage(
    'logs --tail not a number',
    ['logs', 'a', '--tail', 'ten'],
    /--tail must be a whole number of lines, got "ten"/,
  ),
  usage('logs of two sandboxes', ['logs', 'a', 'b'], /logs: unexpected argument "b"/),
  usage('inspect --limit 0', ['inspect', 'a', '--limit', '0'], range('--limit', '1 to 10000', '0')),
  usage(
    'inspect --limit above its bound',
    ['inspect', 'a', '--limit', '10001'],
    range('--limit', '1 to 10000', '10001'),
  ),
  cli('inspect a sandbox that does not exist', ['inspect', 'ghost'], 3, /sandbox "ghost" does not exist/),
  usage(
    'metrics --limit in exponent form',
    ['metrics', 'a', '--limit', '1e3'],
    range('--limit', '1 to 10000', '1e3'),
  ),
  usage('metrics without a name', ['metrics'], /metrics: missing <name>/),
  cli('metrics of a sandbox that does not exist', ['metrics', 'ghost'], 3, /sandbox "ghost" does not exist/),

  // image.
  usage('image without a sub-command', ['image'], /image: missing sub-command/),
  usage('image with an unknown sub-command', ['image', 'pull'], /image: unknown sub-command "pull"/),
  usage('image import without --ref', ['image', 'import', '.'], /image import: missing --ref/),
  usage(
    'image import with an invalid --ref',
    ['image', 'import', '.', '--ref', 'UPPER:1'],
    /image reference "UPPER:1" is invalid/,
  ),
  cli(
    'image import of a directory that is not an OCI layout',
    ['image', 'import', '.', '--ref', 'a:1'],
    1,
    /image "a:1": .*oci-layout: does not exist/,
  ),
  cli('image inspect of a reference never imported', ['image', 'inspect', 'ghost:1'], 3, /image "ghost:1"/),
  cli('image rm of a reference never imported', ['image', 'rm', 'ghost:1'], 3, /image "ghost:1"/),
  usage('image ls with an argument', ['image', 'ls', 'alpine'], /image ls: unexpected argument "alpine"/),

  // volume.
  usage('volume without a sub-command', ['volume'], /volume: missing sub-command/),
  cli(
    'volume create over an existing volume',
    ['volume', 'create', 'cache'],
    4,
    /volume "cache" already exists/,
    (dir) => msbSync(dir, ['volume', 'create', 'cache']),
  ),
  cli(
    'volume create over a leftover directory',
    ['volume', 'create', 'left'],
    4,
    /volumes\/left is there/,
    (dir) => mkdirSync(join(dir, 'volumes', 'left'), { recursive: true }),
  ),
  usage(
    'volume create --quota 0',
    ['volume', 'create', 'v', '--quota', '0'],
    range('--quota', '1 to 1073741824', '0'),
  ),
  usage(
    'volume create --quota past a PiB',
    ['volume', 'create', 'v', '--quota', '99999999999999999999'],
    range('--quota', '1 to 1073741824', '99999999999999999999'),
  ),
  usage(
    'volume create --label without =',
    ['volume', 'create', 'v', '--label', 'team'],
    /--label expects KEY=VALUE, got "team"/,
  ),
  usage('volume create named ..', ['volume', 'create', '..'], /volume name "\.\." is invalid/),
  usage(
    'volume create with two names',
    ['volume', 'create', 'a', 'b'],
    /volume create: unexpected argument "b"/,
  ),
  cli(
    'volume rm of a volume that does not exist',
    ['volume', 'rm', 'ghost'],
    3,
    /volume "ghost" does not exist/,
  ),
  cli('volume inspect of a volume that does not exist', ['volume', 'inspect', 'ghost'], 3, /volume "ghost"/),

  // fleet.
  usage('fleet --count 0', ['fleet', '--count', '0'], range('--count', '1 to 1000', '0')),
  usage('fleet --count above its bound', ['fleet', '--count', '1001'], range('--count', '1 to 1000', '1001')),
  usage('fleet --prefix empty', ['fleet', '--prefix', ''], /fleet: --prefix must not be empty/),
  usage(
    'fleet --prefix with a path',
    ['fleet', '--prefix', '../'],
    /fleet: --prefix "\.\.\/" makes invalid names/,
  ),
  usage(
    'fleet --prefix too long for a name',
    ['fleet', '--prefix', 'p'.repeat(62)],
    /fleet: --prefix "p+" makes invalid names/,
  ),
];
