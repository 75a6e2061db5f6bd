import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/cli/format-error.js';
import { SubjectError } from '../../src/cli/subject-error.js';
import { MSB_MAIN, type MsbResult, msb, newMsbHome, openHomeDb } from '../support/msb-cli.js';
import { makeTempDir } from '../support/open-test-pools.js';
import { spawnFixture } from '../support/spawn-fixture.js';

// A byte the terminal acts on: C0 but newline and tab (the output's own layout), DEL, C1.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const STOPPED_CONFIG = JSON.stringify({
  command: 'sleep',
  args: ['60'],
  env: {},
  workingDir: null,
  image: null,
  metricsIntervalMs: null,
});

/**
 * A migrated home with a Stopped sandbox per name, inserted directly: no runtime to clean up, so a
 * plain temp dir (the homes of these tests may hold files no SQLite can open).
 */
async function homeWithStopped(...names: string[]): Promise<{ home: string; path: string }> {
  const home = makeTempDir('msb-err-');
  expect((await msb(home, ['ls'])).code).toBe(0);
  const path = join(home, 'db', 'msb.db');
  const db = new Database(path);
  try {
    const insert = db.prepare("INSERT INTO sandbox (name, config, status) VALUES (?, ?, 'Stopped')");
    for (const name of names) insert.run(name, STOPPED_CONFIG);
  } finally {
    db.close();
  }
  return { home, path };
}

/** Runs msb as `nobody` when the test runs as root (root ignores file modes), else as the caller. */
function msbUnprivileged(home: string, args: readonly string[]): Promise<MsbResult> {
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [MSB_MAIN, ...args],
      { env: { ...process.env, MSB_HOME: home }, timeout: 60_000, ...asNobody },
      (err, stdout, stderr) => {
        if (err !== null && typeof err.code !== 'number') reject(err);
        else resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
      },
    );
  });
}

function canUnshareMounts(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /mnt'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('msb output with control characters', () => {
  it('should escape them in errors about names typed by the user', async () => {
    const home = makeTempDir('msb-err-');
    const rm = await msb(home, ['rm', 'a\u001b]0;title\u0007']);
    expect(rm.code).toBe(3);
    expect(rm.stderr).toBe('msb: sandbox "a\\x1b]0;title\\x07" does not exist [SANDBOX_NOT_FOUND]\n');
    const create = await msb(home, ['create', 'b\u009b2J', '--', 'true']);
    expect(create.code).toBe(2);
    expect(create.stderr).toContain('sandbox name "b\\x9b2J" is invalid');
    const option = await msb(home, ['ls', '--x\u001b[2J']);
    expect(option.code).toBe(2);
    const line = await msb(home, ['stop', 'a\nmsb: forged line']);
    expect(line.stderr).toBe('msb: sandbox "a\\nmsb: forged line" does not exist [SANDBOX_NOT_FOUND]\n');
    for (const result of [rm, create, option, line]) expect(result.stderr).not.toMatch(RAW_CONTROL);
  });

  it('should escape a command and a name stored in the database in ls, inspect and rm', async () => {
    const { home, path } = await homeWithStopped('web');
    const db = new Database(path);
    const config = { ...JSON.parse(STOPPED_CONFIG), command: 'printf', args: ['\u001b]0;pwned\u0007\u009b'] };
    db.prepare("UPDATE sandbox SET name = 'we\u001b[2Jb', config = ?").run(JSON.stringify(config));
    db.close();

    const table = await msb(home, ['ls']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('we\\x1b[2Jb');
    expect(table.stdout).toContain('printf \\x1b]0;pwned\\x07\\x9b');
    const quiet = await msb(home, ['ls', '-q']);
    expect(quiet.stdout).toBe('we\\x1b[2Jb\n');
    const json = await msb(home, ['ls', '--json']);
    expect(JSON.parse(json.stdout)[0]).toMatchObject({ name: 'we\u001b[2Jb', command: expect.any(String) });
    const inspect = await msb(home, ['inspect', 'we\u001b[2Jb']);
    expect(JSON.parse(inspect.stdout).config.args).toEqual(['\u001b]0;pwned\u0007\u009b']);
    const rm = await msb(home, ['rm', 'we\u001b[2Jb']);
    expect(rm).toMatchObject({ code: 0, stdout: 'we\\x1b[2Jb\tremoved\n' });
    for (const result of [table, quiet, json, inspect, rm]) {
      expect(result.stdout).not.toMatch(RAW_CONTROL);
      expect(result.stderr).not.toMatch(RAW_CONTROL);
    }
    expect(openHomeDb(home).prepare('SELECT count(*) FROM sandbox').pluck().get()).toBe(0);
  });
});

describe('msb time and count options', () => {
  it('should refuse create --timeout past its bound with exit 2 and create nothing', async () => {
    const home = makeTempDir('msb-err-');
    // 3,000,000 s is past Node's timer limit (2^31-1 ms): the wait used to end at once.
    const result = await msb(home, ['create', 'big', '--timeout', '3000000', '--', 'sleep', '10']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'create: --timeout must be a whole number from 1 to 86400, got "3000000"',
    );
    expect(openHomeDb(home).prepare('SELECT count(*) FROM sandbox').pluck().get()).toBe(0);
  });

  it.each([
    [['create', 'a', '--metrics-interval', '3600001', '--', 'true'], '--metrics-interval', '10 to 3600000'],
    [['create', 'a', '--metrics-interval', '5', '--', 'true'], '--metrics-interval', '10 to 3600000'],
    [['start', 'a', '--timeout', '86401'], '--timeout', '1 to 86400'],
    [['stop', 'a', '--timeout', '2147484'], '--timeout', '1 to 86400'],
    [['rm', 'a', '--force', '--timeout', '99999999'], '--timeout', '1 to 86400'],
    [['inspect', 'a', '--limit', '10001'], '--limit', '1 to 10000'],
    [['metrics', 'a', '--limit', '1e3'], '--limit', '1 to 10000'],
    [['fleet', '--count', '1001'], '--count', '1 to 1000'],
    [['volume', 'create', 'v', '--quota', '1073741825'], '--quota', '1 to 1073741824'],
  ])('should refuse %j with exit 2 naming %s and its range', async (args, option, range) => {
    const result = await msb(makeTempDir('msb-err-'), args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${option} must be a whole number from ${range}`);
  });

  it('should accept the upper bounds: a ready timeout of a day and an hourly sample', async () => {
    const home = newMsbHome();
    const args = ['create', 'slow', '--timeout', '86400', '--metrics-interval', '3600000'];
    const result = await msb(home, [...args, '--', 'sleep', '60']);
    expect(result, result.stderr).toMatchObject({ code: 0 });
    const db = openHomeDb(home);
    expect(db.prepare("SELECT json_extract(config, '$.metricsIntervalMs') FROM sandbox").pluck().get()).toBe(
      3_600_000,
    );
    expect(db.prepare('SELECT status FROM run').pluck().get()).toBe('Running');
  });
});

describe('msb database errors', () => {
  it('should name the file when msb.db is not a database (SQLITE_NOTADB), leaving it as it was', async () => {
    const home = makeTempDir('msb-err-');
    const path = join(home, 'db', 'msb.db');
    mkdirSync(join(home, 'db'));
    writeFileSync(path, 'my notes, not a database\n');
    const result = await msb(home, ['ls']);
    expect(result).toMatchObject({ code: 1 });
    expect(result.stderr).toBe(`msb: database ${path}: file is not a database [SQLITE_NOTADB]\n`);
    expect(readFileSync(path, 'utf8')).toBe('my notes, not a database\n');
  });

  it('should name the file and the volume for a truncated database (SQLITE_CORRUPT)', async () => {
    const { home, path } = await homeWithStopped('a', 'b');
    const db = new Database(path);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    truncateSync(path, 12_288);
    const result = await msb(home, ['volume', 'ls']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^msb: database ${path}: database disk image is malformed \\[SQLITE_CORRUPT\\]\\n$`),
    );
  });

  it('should name the path when a directory stands where the file should be (SQLITE_CANTOPEN)', async () => {
    const home = makeTempDir('msb-err-');
    const path = join(home, 'db', 'msb.db');
    mkdirSync(path, { recursive: true });
    const result = await msb(home, ['volume', 'ls']);
    expect(result).toMatchObject({ code: 1 });
    expect(result.stderr).toBe(`msb: database ${path}: unable to open database file [SQLITE_CANTOPEN]\n`);
  });

  it('should name the file and the volume when the database file is read-only (SQLITE_READONLY)', async () => {
    const home = makeTempDir('msb-err-');
    expect((await msb(home, ['volume', 'create', 'kept'])).code).toBe(0);
    const path = join(home, 'db', 'msb.db');
    const db = new Database(path);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    // The unprivileged run may create the WAL files and the volume directory, not write the database.
    chmodSync(home, 0o777);
    chmodSync(join(home, 'db'), 0o777);
    chmodSync(join(home, 'volumes'), 0o777);
    chmodSync(path, 0o444);
    const result = await msbUnprivileged(home, ['volume', 'create', 'new']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^msb: volume "new": database ${path}: attempt to write a readonly database \\[SQLITE_READONLY`,
        // After the home's warnings: its paths belong to root, not to the unprivileged user.
        'm',
      ),
    );
    expect(openHomeDb(home).prepare('SELECT name FROM volume').pluck().all()).toEqual(['kept']);
  });

  it.runIf(canUnshareMounts())(
    'should name the file and the volume when the disk is full (SQLITE_FULL, a tiny tmpfs)',
    async () => {
      const home = makeTempDir('msb-err-');
      expect((await msb(home, ['volume', 'create', 'kept'])).code).toBe(0);
      const db = join(home, 'db');
      const stash = join(home, 'stash');
      // A private mount namespace: the tmpfs is gone when the shell exits.
      const script = `cp -a "${db}/." "${stash}/" && mount -t tmpfs -o size=192k tmpfs "${db}" && cp -a "${stash}/." "${db}/" && "${process.execPath}" "${MSB_MAIN}" volume create big --label "a=$(head -c 100000 /dev/zero | tr '\\0' x)"`;
      mkdirSync(stash);
      const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(
          'unshare',
          ['-m', 'sh', '-c', script],
          { env: { ...process.env, MSB_HOME: home } },
          (err, _o, e) => resolve({ code: typeof err?.code === 'number' ? err.code : 0, stderr: e }),
        );
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `msb: volume "big": database ${join(db, 'msb.db')}: database or disk is full [SQLITE_FULL]\n`,
      );
    },
  );

  it('should format a real SQLITE_FULL naming the file, the error itself left intact', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x BLOB)');
    db.pragma('max_page_count = 2');
    let full: unknown;
    try {
      db.prepare('INSERT INTO t VALUES (zeroblob(100000))').run();
    } catch (err) {
      full = err;
    }
    db.close();
    expect(full).toBeInstanceOf(Database.SqliteError);
    const line = formatError(new SubjectError('volume', 'v', full), '/srv/msb/db/msb.db');
    expect(line).toBe(
      'msb: volume "v": database /srv/msb/db/msb.db: database or disk is full [SQLITE_FULL]\n',
    );
    expect((full as Error).message).toBe('database or disk is full');
  });

  it('should name the sandbox and the file when a write lock is held past the busy budget (DB_BUSY)', async () => {
    const { home, path } = await homeWithStopped('web');
    const holder = spawnFixture('hold-write-lock.mjs', [path, 'forever']);
    await holder.line('locked');
    const result = await msb(home, ['rm', 'web']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^msb: sandbox "web": database ${path} stayed busy for \\d+ ms over \\d+ attempts \\(last: SQLITE_BUSY: database is locked\\) \\[DB_BUSY\\]\\n$`,
      ),
    );
    holder.child.kill('SIGKILL');
    await holder.exited;
    expect(openHomeDb(home).prepare('SELECT name FROM sandbox').pluck().all()).toEqual(['web']);
  });
});

describe('msb with a config.json shared with upstream microsandbox', () => {
  it('should run on the database keys it uses and ignore upstream-only ones like database.url', async () => {
    const home = makeTempDir('msb-err-');
    const upstream = {
      home: null,
      log_level: null,
      database: { url: null, max_connections: 5, connect_timeout_secs: 30, busy_timeout_secs: 30 },
      paths: { msb: null, cache: null },
      sandbox_defaults: { cpus: 1, memory_mib: 512 },
      ssh: { inactivity_timeout_secs: 600 },
    };
    writeFileSync(join(home, 'config.json'), JSON.stringify(upstream, null, 2));
    expect(await msb(home, ['volume', 'create', 'cache'])).toMatchObject({ code: 0, stderr: '' });
    expect(openHomeDb(home).prepare('SELECT name FROM volume').pluck().all()).toEqual(['cache']);

    writeFileSync(
      join(home, 'config.json'),
      JSON.stringify({ ...upstream, database: { maxConnections: 5 } }),
    );
    const typo = await msb(home, ['volume', 'ls']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(
      /config\.json: database\.maxConnections: unknown key .*\[DB_CONFIG_INVALID\]\n$/,
    );
  });
});
