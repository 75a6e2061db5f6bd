import { spawnSync } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  createPrivateFile,
  DbPools,
  makePrivateDir,
  makePrivateDirAsync,
  openPrivateAppend,
} from '../../src/db/index.js';
import { modesUnder, octalMode, withUmask } from '../support/file-modes.js';
import { makeTempDir } from '../support/open-test-pools.js';

// The built module (npm test builds first): a child process runs it as another user.
const PRIVATE_FILES_BUILT = fileURLToPath(new URL('../../dist/db/private-files.js', import.meta.url));
const NOBODY = 65534;

// 022 is the common default, 000 grants everything, 277 even masks the owner's own bits.
const UMASKS = [0o022, 0o000, 0o277].map((mask) => ({ mask, umask: mask.toString(8).padStart(3, '0') }));

// The two share their rules: each level 0700 whatever the umask, levels already there left alone.
const MAKERS = [
  { name: 'makePrivateDir', make: (path: string): void => makePrivateDir(path) },
  { name: 'makePrivateDirAsync', make: makePrivateDirAsync },
];

describe.each(MAKERS)('$name', ({ make }) => {
  it.each(UMASKS)(
    'should create the directory and its missing parents 0700 under umask $umask',
    async ({ mask }) => {
      const root = makeTempDir();
      await withUmask(mask, () => make(join(root, 'a', 'b', 'c')));
      expect(modesUnder(root, ['a', 'a/b', 'a/b/c'])).toEqual({ a: '0700', 'a/b': '0700', 'a/b/c': '0700' });
    },
  );

  it('should leave the mode of directories that were already there, and refuse a file in the way', async () => {
    const root = makeTempDir();
    mkdirSync(join(root, 'a'), { mode: 0o755 });
    await withUmask(0o022, () => make(join(root, 'a', 'b')));
    await make(join(root, 'a', 'b'));
    expect(modesUnder(root, ['a', 'a/b'])).toEqual({ a: '0755', 'a/b': '0700' });
    writeFileSync(join(root, 'f'), '');
    await expect(async () => make(join(root, 'f'))).rejects.toMatchObject({ code: 'EEXIST' });
  });
});

describe('makePrivateDir', () => {
  it('should refuse an existing directory with EEXIST when exclusive, and create it 0700 otherwise', async () => {
    const root = makeTempDir();
    await withUmask(0o000, () => makePrivateDir(join(root, 'v', 'cache'), { exclusive: true }));
    expect(modesUnder(root, ['v', 'v/cache'])).toEqual({ v: '0700', 'v/cache': '0700' });
    expect(() => makePrivateDir(join(root, 'v', 'cache'), { exclusive: true })).toThrow(
      expect.objectContaining({ code: 'EEXIST' }),
    );
  });
});

describe('makePrivateDirAsync', () => {
  it('should let concurrent calls for one path all succeed', async () => {
    const root = makeTempDir();
    await Promise.all(Array.from({ length: 8 }, () => makePrivateDirAsync(join(root, 'x', 'y'))));
    expect(modesUnder(root, ['x', 'x/y'])).toEqual({ x: '0700', 'x/y': '0700' });
  });

  it('should let concurrent creates under one new parent all succeed under umask 277', () => {
    // In a child process as another user when this one is root: root enters a 0500 directory anyway,
    // so only a user the mode holds back shows a create going on inside a parent not yet made private.
    const root = makeTempDir();
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownSync(root, NOBODY, NOBODY);
    const script = [
      `import { makePrivateDirAsync } from ${JSON.stringify(PRIVATE_FILES_BUILT)};`,
      'process.umask(0o277);',
      'let failed = 0;',
      'for (let round = 0; round < 20; round++) {',
      `  const made = Array.from({ length: 8 }, (_, i) => makePrivateDirAsync(${JSON.stringify(root)} + '/r' + round + '/sandboxes/s' + i));`,
      "  failed += (await Promise.allSettled(made)).filter((r) => r.status === 'rejected').length;",
      '}',
      'process.stdout.write(String(failed));',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('0');
    expect(modesUnder(root, ['r0', 'r0/sandboxes', 'r0/sandboxes/s7'])).toEqual({
      r0: '0700',
      'r0/sandboxes': '0700',
      'r0/sandboxes/s7': '0700',
    });
  });
});

describe('openPrivateAppend', () => {
  it.each(UMASKS)('should create the file 0600 under umask $umask', async ({ mask }) => {
    const root = makeTempDir();
    const path = join(root, 'stdout.log');
    const fd = await withUmask(mask, () => openPrivateAppend(path));
    writeSync(fd, 'one\n');
    closeSync(fd);
    expect(octalMode(path)).toBe('0600');
    expect(readFileSync(path, 'utf8')).toBe('one\n');
  });

  it('should append to an existing file and leave its mode', async () => {
    const root = makeTempDir();
    const path = join(root, 'stdout.log');
    writeFileSync(path, 'old\n', { mode: 0o640 });
    const fd = await withUmask(0o000, () => openPrivateAppend(path));
    writeSync(fd, 'new\n');
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe('old\nnew\n');
    expect(octalMode(path)).toBe('0640');
  });
});

describe('createPrivateFile', () => {
  it('should create an empty 0600 file and leave an existing one untouched', async () => {
    const root = makeTempDir();
    await withUmask(0o000, () => createPrivateFile(join(root, 'new')));
    writeFileSync(join(root, 'old'), 'keep', { mode: 0o644 });
    createPrivateFile(join(root, 'old'));
    expect(modesUnder(root, ['new', 'old'])).toEqual({ new: '0600', old: '0644' });
    expect(readFileSync(join(root, 'new'), 'utf8')).toBe('');
    expect(readFileSync(join(root, 'old'), 'utf8')).toBe('keep');
  });
});

describe('DbWriteConnection.open', () => {
  it.each(UMASKS)(
    'should create the home, db/, the database and its -wal and -shm private under umask $umask',
    async ({ mask }) => {
      const root = makeTempDir();
      const path = join(root, 'home', 'db', 'msb.db');
      const pools = await withUmask(mask, () => DbPools.open(path, { connectTimeoutMs: 5_000 }));
      try {
        expect(existsSync(`${path}-wal`) && existsSync(`${path}-shm`)).toBe(true);
        expect(
          modesUnder(root, ['home', 'home/db', 'home/db/msb.db', 'home/db/msb.db-wal', 'home/db/msb.db-shm']),
        ).toEqual({
          home: '0700',
          'home/db': '0700',
          'home/db/msb.db': '0600',
          'home/db/msb.db-wal': '0600',
          'home/db/msb.db-shm': '0600',
        });
      } finally {
        await pools.close();
      }
    },
  );
});
