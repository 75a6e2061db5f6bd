import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// The loader as the build installs it (`<name>.cjs` beside `<name>.bundle.cjs`), run as real processes.
const LOADER = fileURLToPath(new URL('../../scripts/code-cache-loader.cjs', import.meta.url));
const HASH_LINE = "const BUNDLE_HASH = 'BUNDLE_HASH';";
const BUILT = fileURLToPath(new URL('../../dist/', import.meta.url));

let dir: string;
let exitCode: string;
/** Whether the bundle asks the loader to save its cache (a run that never reaches that point does not). */
let asks: boolean;

/**
 * Installs a bundle as scripts/bundle-runtime.mjs does: the bundle, and the loader beside it with the
 * bundle's hash baked in. The bundle uses what a CommonJS bundle gets: `require`, `module`,
 * `__filename`, `process.exit`.
 */
function writeBundle(marker: string): void {
  const code = bundleText(marker);
  writeFileSync(join(dir, 'app.bundle.cjs'), code);
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  writeFileSync(
    join(dir, 'app.cjs'),
    readFileSync(LOADER, 'utf8').replace(HASH_LINE, `const BUNDLE_HASH = '${hash}';`),
  );
}

function bundleText(marker: string): string {
  return [
    "const { basename } = require('node:path');",
    'module.exports = { marker: 1 };',
    'function work(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }',
    `process.stdout.write(JSON.stringify({ file: basename(__filename), marker: ${JSON.stringify(marker)}, work: work(10), args: process.argv.slice(2) }));`,
    // As the runtime does once its start path has run; ASK=0 is a run that never gets there.
    "if (process.env.ASK !== '0') globalThis[Symbol.for('msb.codeCache.save')]();",
    'process.exit(Number(process.env.EXIT_CODE ?? 0));',
    '',
  ].join('\n');
}

function run(...args: string[]): { status: number | null; out: unknown; stderr: string } {
  const r = spawnSync(process.execPath, [join(dir, 'app.cjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, EXIT_CODE: exitCode, ASK: asks ? '1' : '0' },
  });
  return { status: r.status, out: r.stdout === '' ? undefined : JSON.parse(r.stdout), stderr: r.stderr };
}

const caches = (): string[] => readdirSync(dir).filter((f) => f.includes('.v8cache'));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'msb-code-cache-'));
  exitCode = '0';
  asks = true;
  writeBundle('first');
});
afterEach(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

describe('code-cache-loader', () => {
  it('should run the bundle beside it as CommonJS, with its arguments and its exit code', () => {
    exitCode = '3';
    const r = run('--db', 'x.db');
    expect(r).toEqual({
      status: 3,
      out: { file: 'app.bundle.cjs', marker: 'first', work: 45, args: ['--db', 'x.db'] },
      stderr: '',
    });
  });

  it('should write the cache when the first run asks and leave it as it is for the next run', () => {
    run();
    const [cache] = caches();
    expect(cache).toMatch(/^app\.bundle\.cjs\..*-v\d+\.\d+\.\d+-\w+\.v8cache$/);
    const written = statSync(join(dir, cache!));
    expect(written.size).toBeGreaterThan(0);
    // A run that V8 let use the cache writes nothing: the same file, untouched.
    expect(run().out).toMatchObject({ marker: 'first' });
    expect(caches()).toEqual([cache]);
    expect(statSync(join(dir, cache!))).toMatchObject({ ino: written.ino, mtimeMs: written.mtimeMs });
  });

  it('should write no cache from a run that never asks, even one that exits 0', () => {
    // A run that ended before its start path ran would leave a cache of that short path for good.
    asks = false;
    expect(run().status).toBe(0);
    expect(caches()).toEqual([]);
    asks = true;
    run();
    expect(caches()).toHaveLength(1);
  });

  it('should never run a rebuilt bundle of the same length and time from the old cache', () => {
    // Whole seconds: a fractional time set through utimes comes back rounded either way.
    const sameTime = 1_800_000_000;
    utimesSync(join(dir, 'app.bundle.cjs'), sameTime, sameTime);
    run();
    const [old] = caches();
    // Same length, same modification time, same inode: only the hash baked into the loader tells the
    // two apart (V8 checks the source's length alone, and would run the old bytecode).
    writeBundle('secnd');
    utimesSync(join(dir, 'app.bundle.cjs'), sameTime, sameTime);
    expect(run().out).toMatchObject({ marker: 'secnd' });
    const now = caches();
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(old);
  });

  it('should write the cache when the bundle asks, whatever exit code the run ends with', () => {
    exitCode = '2';
    expect(run().status).toBe(2);
    expect(caches()).toHaveLength(1);
  });

  it.each([
    ['runtime', 'runtime/main'],
    ['launcher', 'host/launcher-process'],
  ])('should be installed by the build for the %s as strict code with its hash baked in', (_, name) => {
    expect(readFileSync(join(BUILT, `${name}.bundle.cjs`), 'utf8')).toMatch(/^"use strict";/);
    expect(readFileSync(join(BUILT, `${name}.cjs`), 'utf8')).toMatch(
      /^const BUNDLE_HASH = '[0-9a-f]{16}';$/m,
    );
  });

  it('should run correctly from a cache V8 rejects, and write a good one in its place', () => {
    run();
    const [cache] = caches();
    writeFileSync(join(dir, cache!), Buffer.alloc(512, 7));
    expect(run().out).toMatchObject({ marker: 'first', work: 45 });
    expect(readFileSync(join(dir, cache!)).equals(Buffer.alloc(512, 7))).toBe(false);
  });

  // Root writes into a read-only directory, so there is nothing to see as root.
  it.skipIf(process.getuid?.() === 0)('should run without a cache where it cannot write one', () => {
    chmodSync(dir, 0o500);
    expect(run()).toMatchObject({ status: 0, out: { marker: 'first' }, stderr: '' });
    expect(caches()).toEqual([]);
  });
});
