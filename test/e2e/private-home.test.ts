import { chmodSync, chownSync, existsSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modesUnder, octalMode, withUmask } from '../support/file-modes.js';
import { msb, newMsbHome } from '../support/msb-cli.js';
import { waitFor } from '../support/process-helpers.js';

const DIRS = ['.', 'db', 'sandboxes', 'sandboxes/web', 'volumes', 'volumes/cache'];
const FILES = [
  'db/msb.db',
  'db/msb.db-wal',
  'db/msb.db-shm',
  'sandboxes/web/stdout.log',
  'sandboxes/web/stderr.log',
  'sandboxes/web/runtime.log',
];
const PRIVATE = {
  ...Object.fromEntries(DIRS.map((d) => [d, '0700'])),
  ...Object.fromEntries(FILES.map((f) => [f, '0600'])),
};
// Writes a file of its own into its working directory (the sandbox directory), then keeps running.
const WORKLOAD = ['sh', '-c', 'echo mine > out.txt; echo started; echo oops >&2; exec sleep 60'];

/** Creates a running sandbox `web` (with a secret env value) and a volume `cache` in a fresh home. */
async function createSandboxAndVolume(home: string): Promise<void> {
  const created = await msb(home, ['create', 'web', '--env', 'TOKEN=hunter2', '--', ...WORKLOAD]);
  expect(created).toMatchObject({ code: 0, stderr: '' });
  expect(await msb(home, ['volume', 'create', 'cache'])).toMatchObject({ code: 0, stderr: '' });
  await waitFor('the workload output', () =>
    readFileSync(join(home, 'sandboxes/web/stdout.log'), 'utf8').includes('started'),
  );
  // The runtime keeps its connection open while the workload runs, so the WAL files exist.
  expect(FILES.filter((f) => !existsSync(join(home, f)))).toEqual([]);
}

describe('msb (built CLI) home privacy', () => {
  it.each([
    { mask: 0o022, umask: '022' },
    { mask: 0o000, umask: '000' },
  ])(
    'should create the home and everything in it private under umask $umask, and leave the workload its umask',
    async ({ mask }) => {
      const home = newMsbHome();
      rmdirSync(home);
      await withUmask(mask, () => createSandboxAndVolume(home));
      expect(modesUnder(home, [...DIRS, ...FILES])).toEqual(PRIVATE);
      // The workload's own file follows the user's umask, not msb's modes.
      expect(octalMode(join(home, 'sandboxes/web/out.txt'))).toBe(`0${(0o666 & ~mask).toString(8)}`);
    },
  );

  it('should make a loose home private at the next command and warn about what it cannot tighten', async () => {
    const home = newMsbHome();
    await withUmask(0o022, () => createSandboxAndVolume(home));
    // What an older msb left under umask 022.
    for (const dir of DIRS) chmodSync(join(home, dir), 0o755);
    for (const file of FILES) chmodSync(join(home, file), 0o644);
    const root = process.getuid?.() === 0;
    if (root) chownSync(join(home, 'sandboxes/web/runtime.log'), 4321, 4321);

    const ls = await msb(home, ['ls']);

    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/web\s+Running/);
    const runtimeLog = join(home, 'sandboxes/web/runtime.log');
    if (root) {
      expect(ls.stderr).toBe(
        `msb: warning: ${runtimeLog} has mode 0644 and belongs to uid 4321, not to msb's user (uid 0); left as is\n`,
      );
      expect(modesUnder(home, [...DIRS, ...FILES])).toEqual({
        ...PRIVATE,
        'sandboxes/web/runtime.log': '0644',
      });
    } else {
      expect(ls.stderr).toBe('');
      expect(modesUnder(home, [...DIRS, ...FILES])).toEqual(PRIVATE);
    }
  });

  it('should refuse a home that is a file, naming it, with exit code 2', async () => {
    const home = join(newMsbHome(), 'home');
    writeFileSync(home, 'not a directory');
    expect(await msb(home, ['ls'])).toEqual({
      code: 2,
      stdout: '',
      stderr: `msb: msb home ${home} (MSB_HOME) is not a directory [INVALID_ARGUMENT]\n`,
    });
    expect(readFileSync(home, 'utf8')).toBe('not a directory');
  });
});
