import { chmodSync, chownSync, existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tightenHome } from '../../src/host/tighten-home.js';
import { modesUnder, octalMode, withUmask } from '../support/file-modes.js';
import { makeTempDir } from '../support/open-test-pools.js';

const DIRS = ['.', 'db', 'sandboxes', 'sandboxes/web', 'volumes', 'volumes/cache'] as const;
const FILES = [
  'db/msb.db',
  'db/msb.db-wal',
  'db/msb.db-shm',
  'sandboxes/web/stdout.log',
  'sandboxes/web/stderr.log',
  'sandboxes/web/runtime.log',
] as const;

/** A home laid out as msb lays it out, with the modes an older msb left under umask 022. */
function looseHome(): string {
  const home = join(makeTempDir(), 'home');
  for (const dir of DIRS) mkdirSync(join(home, dir), { recursive: true, mode: 0o755 });
  for (const file of FILES) writeFileSync(join(home, file), 'secret', { mode: 0o644 });
  return home;
}

describe('tightenHome', () => {
  it('should make every directory 0700 and every file 0600 that msb keeps in a loose home', async () => {
    const home = await withUmask(0o022, looseHome);
    expect(octalMode(join(home, 'db/msb.db'))).toBe('0644');

    expect(tightenHome(home)).toEqual([]);

    expect(modesUnder(home, [...DIRS, ...FILES])).toEqual({
      ...Object.fromEntries(DIRS.map((d) => [d, '0700'])),
      ...Object.fromEntries(FILES.map((f) => [f, '0600'])),
    });
  });

  it('should leave what the workload and the user wrote: files in sandbox and volume directories, config.json', async () => {
    const home = await withUmask(0o022, () => {
      const h = looseHome();
      writeFileSync(join(h, 'sandboxes/web/out.txt'), 'workload');
      mkdirSync(join(h, 'volumes/cache/data'));
      writeFileSync(join(h, 'config.json'), '{}');
      return h;
    });
    tightenHome(home);
    expect(modesUnder(home, ['sandboxes/web/out.txt', 'volumes/cache/data', 'config.json'])).toEqual({
      'sandboxes/web/out.txt': '0644',
      'volumes/cache/data': '0755',
      'config.json': '0644',
    });
  });

  it('should keep owner bits and tighten nothing that is private already', async () => {
    const home = join(makeTempDir(), 'home');
    mkdirSync(join(home, 'db'), { recursive: true, mode: 0o700 });
    writeFileSync(join(home, 'db/msb.db'), '', { mode: 0o400 });
    await withUmask(0o000, () => mkdirSync(join(home, 'sandboxes'), { mode: 0o750 }));
    expect(tightenHome(home)).toEqual([]);
    expect(modesUnder(home, ['db/msb.db', 'sandboxes'])).toEqual({ 'db/msb.db': '0400', sandboxes: '0700' });
  });

  it('should not enter sandboxes/ or volumes/ when they are private already', async () => {
    const home = await withUmask(0o022, looseHome);
    chmodSync(join(home, 'sandboxes'), 0o700);
    chmodSync(join(home, 'volumes'), 0o700);
    expect(tightenHome(home)).toEqual([]);
    expect(
      modesUnder(home, ['.', 'db/msb.db', 'sandboxes/web', 'sandboxes/web/stdout.log', 'volumes/cache']),
    ).toEqual({
      '.': '0700',
      'db/msb.db': '0600',
      'sandboxes/web': '0755',
      'sandboxes/web/stdout.log': '0644',
      'volumes/cache': '0755',
    });
  });

  it.runIf(process.getuid?.() === 0)(
    'should leave an entry owned by another user loose and warn with its path and mode',
    async () => {
      const home = await withUmask(0o022, looseHome);
      const foreign = join(home, 'sandboxes/web/stdout.log');
      chownSync(foreign, 4321, 4321);
      expect(tightenHome(home)).toEqual([
        `${foreign} has mode 0644 and belongs to uid 4321, not to msb's user (uid 0); left as is`,
      ]);
      expect(octalMode(foreign)).toBe('0644');
      expect(octalMode(join(home, 'sandboxes/web/stderr.log'))).toBe('0600');
    },
  );

  it('should not follow a symlink below the home, and warn when its target is loose', async () => {
    const root = makeTempDir();
    const elsewhere = join(root, 'elsewhere');
    const home = join(root, 'home');
    await withUmask(0o022, () => {
      mkdirSync(elsewhere);
      mkdirSync(join(home, 'sandboxes'), { recursive: true });
      symlinkSync(elsewhere, join(home, 'sandboxes/web'));
    });
    expect(tightenHome(home)).toEqual([
      `${join(home, 'sandboxes/web')} is a symlink to an entry of mode 0755; msb does not follow symlinks below its home, make it private by hand`,
    ]);
    expect(modesUnder(root, ['elsewhere', 'home', 'home/sandboxes'])).toEqual({
      elsewhere: '0755',
      home: '0700',
      'home/sandboxes': '0700',
    });
  });

  it('should tighten the directory a symlinked home points to', async () => {
    const root = makeTempDir();
    await withUmask(0o022, () => mkdirSync(join(root, 'real')));
    symlinkSync(join(root, 'real'), join(root, 'home'));
    expect(tightenHome(join(root, 'home'))).toEqual([]);
    expect(octalMode(join(root, 'real'))).toBe('0700');
  });

  it('should accept a missing home without creating it', () => {
    const home = join(makeTempDir(), 'home');
    expect(tightenHome(home)).toEqual([]);
    expect(existsSync(home)).toBe(false);
  });

  it('should refuse a home that is a file with INVALID_ARGUMENT naming it', () => {
    const home = join(makeTempDir(), 'home');
    writeFileSync(home, 'not a directory');
    expect(() => tightenHome(home)).toThrow(
      expect.objectContaining({
        name: 'HostError',
        code: 'INVALID_ARGUMENT',
        message: `msb home ${home} (MSB_HOME) is not a directory`,
      }),
    );
  });
});

describe('tightenHome on a shared directory', () => {
  it('should leave a sticky home (such as /tmp) open and say so, while its msb entries become private', () => {
    const home = makeTempDir('msb-sticky-');
    chmodSync(home, 0o1777);
    mkdirSync(join(home, 'db'), { mode: 0o755 });
    chmodSync(join(home, 'db'), 0o755);
    const warnings = tightenHome(home);
    expect(statSync(home).mode & 0o7777).toBe(0o1777);
    expect(statSync(join(home, 'db')).mode & 0o777).toBe(0o700);
    expect(warnings).toEqual([
      `${home} is a shared (sticky) directory; msb keeps its entries private but leaves its mode`,
    ]);
  });
});
