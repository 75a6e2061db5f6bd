import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareCreateTarget } from '../../src/host/create-sandbox.js';
import { isPidAlive } from '../../src/host/processes.js';
import { HostError } from '../../src/sandbox/errors.js';
import { sandboxDir } from '../../src/sandbox/paths.js';
import { openTestPools } from '../support/open-test-pools.js';
import { deadPid, exited, spawnFakeRuntime, spawnUnrelatedProcess } from '../support/processes.js';
import { seedSandbox } from '../support/seed.js';

describe('prepareCreateTarget', () => {
  it('should resolve the directory of a new name without creating it (the row comes first)', async () => {
    const { pools, dir: home } = await openTestPools();
    const dir = await prepareCreateTarget(pools, { home, name: 'fresh' });
    expect(dir).toBe(sandboxDir(home, 'fresh'));
    expect(existsSync(dir)).toBe(false);
  });

  it('should refuse an existing sandbox without replace and leave it untouched', async () => {
    const { pools, dir: home } = await openTestPools();
    const { record } = await seedSandbox(pools, 'web', { status: 'Stopped' });
    await expect(prepareCreateTarget(pools, { home, name: 'web' })).rejects.toMatchObject({
      name: 'HostError',
      code: 'SANDBOX_EXISTS',
      message: expect.stringContaining('"web"'),
    });
    expect(pools.read.get('SELECT id, status FROM sandbox WHERE name = @name', { name: 'web' })).toEqual({
      id: record.id,
      status: 'Stopped',
    });
  });

  it('should refuse a leftover directory without replace and keep its files', async () => {
    const { pools, dir: home } = await openTestPools();
    const dir = sandboxDir(home, 'left');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'stdout.log'), 'old');
    const err = await prepareCreateTarget(pools, { home, name: 'left' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostError);
    expect(err).toMatchObject({ code: 'SANDBOX_DIR_EXISTS', message: expect.stringContaining(dir) });
    expect(readFileSync(join(dir, 'stdout.log'), 'utf8')).toBe('old');
  });

  it('should wipe a leftover directory when replacing', async () => {
    const { pools, dir: home } = await openTestPools();
    const dir = sandboxDir(home, 'left');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'stdout.log'), 'old');
    await prepareCreateTarget(pools, { home, name: 'left', replace: true });
    expect(existsSync(dir)).toBe(false);
  });

  it('should replace a stopped sandbox: row, runs and directory gone', async () => {
    const { pools, dir: home } = await openTestPools();
    const { record } = await seedSandbox(pools, 'web', { pid: await deadPid(), status: 'Stopped' });
    mkdirSync(sandboxDir(home, 'web'), { recursive: true });
    writeFileSync(join(sandboxDir(home, 'web'), 'stdout.log'), 'old');
    await prepareCreateTarget(pools, { home, name: 'web', replace: true });
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
    expect(
      pools.read.get('SELECT count(*) FROM run WHERE sandbox_id = @id', { id: record.id }, 'pluck'),
    ).toBe(0);
    expect(existsSync(sandboxDir(home, 'web'))).toBe(false);
  });

  it('should replace a stale sandbox whose runtime pid is dead', async () => {
    const { pools, dir: home } = await openTestPools();
    await seedSandbox(pools, 'stale', { pid: await deadPid() });
    mkdirSync(sandboxDir(home, 'stale'), { recursive: true });
    writeFileSync(join(sandboxDir(home, 'stale'), 'runtime.log'), 'old');
    await prepareCreateTarget(pools, { home, name: 'stale', replace: true });
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
    expect(existsSync(join(sandboxDir(home, 'stale'), 'runtime.log'))).toBe(false);
  });

  it('should replace a running sandbox: its runtime gets SIGTERM, row and directory go', async () => {
    const { pools, dir: home } = await openTestPools();
    const signals = join(home, 'signals.txt');
    const runtime = await spawnFakeRuntime(signals);
    await seedSandbox(pools, 'live', { pid: runtime.pid });
    mkdirSync(sandboxDir(home, 'live'), { recursive: true });
    writeFileSync(join(sandboxDir(home, 'live'), 'stdout.log'), 'old');

    await prepareCreateTarget(pools, { home, name: 'live', replace: true, stopTimeoutMs: 5_000 });

    expect(await exited(runtime)).toEqual({ code: 0, signal: null });
    expect(readFileSync(signals, 'utf8')).toBe('got SIGTERM\n');
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
    expect(pools.read.get('SELECT count(*) FROM run', undefined, 'pluck')).toBe(0);
    expect(existsSync(sandboxDir(home, 'live'))).toBe(false);
  });

  it('should SIGKILL a runtime that ignores SIGTERM past the timeout, then replace it', async () => {
    const { pools, dir: home } = await openTestPools();
    const signals = join(home, 'signals.txt');
    const runtime = await spawnFakeRuntime(signals, true);
    await seedSandbox(pools, 'stuck', { pid: runtime.pid });
    const started = performance.now();
    await prepareCreateTarget(pools, { home, name: 'stuck', replace: true, stopTimeoutMs: 300 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    expect(await exited(runtime)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(readFileSync(signals, 'utf8')).toBe('ignored SIGTERM\n');
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
  });

  it('should replace a sandbox whose runtime pid now names an unrelated process without signalling or waiting on it', async () => {
    const { pools, dir: home } = await openTestPools();
    const unrelated = await spawnUnrelatedProcess();
    await seedSandbox(pools, 'reused', { pid: unrelated });
    const started = performance.now();
    await prepareCreateTarget(pools, { home, name: 'reused', replace: true, stopTimeoutMs: 2_000 });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(isPidAlive(unrelated)).toBe(true);
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
  });

  it('should refuse a name that cannot be a directory name', async () => {
    const { pools, dir: home } = await openTestPools();
    await expect(prepareCreateTarget(pools, { home, name: '../etc' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('"../etc"'),
    });
    expect(existsSync(join(home, 'etc'))).toBe(false);
  });
});
