import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createVolume, listVolumes, removeVolume } from '../../src/host/volumes.js';
import { volumeDir } from '../../src/sandbox/paths.js';
import { openTestPools } from '../support/open-test-pools.js';

describe('createVolume', () => {
  it('should create the row and the directory, with quota and labels', async () => {
    const { pools, dir: home } = await openTestPools();
    const volume = await createVolume(pools, { home, name: 'cache', quotaMib: 512, labels: { team: 'web' } });
    expect(volume).toMatchObject({ name: 'cache', quotaMib: 512, sizeBytes: 0, labels: { team: 'web' } });
    expect(existsSync(volumeDir(home, 'cache'))).toBe(true);
    expect(pools.read.get('SELECT name, quota_mib, labels FROM volume')).toEqual({
      name: 'cache',
      quota_mib: 512,
      labels: '{"team":"web"}',
    });
  });

  it('should refuse a taken name with VOLUME_EXISTS and keep the first volume', async () => {
    const { pools, dir: home } = await openTestPools();
    await createVolume(pools, { home, name: 'cache' });
    writeFileSync(join(volumeDir(home, 'cache'), 'data'), 'keep');
    await expect(createVolume(pools, { home, name: 'cache', quotaMib: 1 })).rejects.toMatchObject({
      name: 'HostError',
      code: 'VOLUME_EXISTS',
      message: 'volume "cache" already exists',
    });
    expect(existsSync(join(volumeDir(home, 'cache'), 'data'))).toBe(true);
    expect(pools.read.get('SELECT quota_mib FROM volume', undefined, 'pluck')).toBeNull();
  });

  it('should give exactly one of two concurrent creates the volume, the other VOLUME_EXISTS, and keep the directory', async () => {
    const { pools, dir: home } = await openTestPools();
    const results = await Promise.allSettled([
      createVolume(pools, { home, name: 'cache' }),
      createVolume(pools, { home, name: 'cache' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.reason).toMatchObject({ name: 'HostError', code: 'VOLUME_EXISTS' });
    expect(listVolumes(pools.read).map((v) => v.name)).toEqual(['cache']);
    expect(existsSync(volumeDir(home, 'cache'))).toBe(true);
  });

  it('should refuse a leftover directory with no row as VOLUME_EXISTS and leave its contents alone', async () => {
    const { pools, dir: home } = await openTestPools();
    mkdirSync(volumeDir(home, 'cache'), { recursive: true });
    writeFileSync(join(volumeDir(home, 'cache'), 'data'), 'keep');
    await expect(createVolume(pools, { home, name: 'cache' })).rejects.toMatchObject({
      name: 'HostError',
      code: 'VOLUME_EXISTS',
      message: expect.stringContaining(volumeDir(home, 'cache')),
    });
    expect(existsSync(join(volumeDir(home, 'cache'), 'data'))).toBe(true);
    expect(pools.read.get('SELECT count(*) FROM volume', undefined, 'pluck')).toBe(0);
  });

  it('should remove the directory it created when the insert fails, and pass the SqliteError through', async () => {
    const { pools, dir: home, path } = await openTestPools();
    const other = new Database(path);
    other.exec(
      "CREATE TRIGGER refuse_volume BEFORE INSERT ON volume BEGIN SELECT RAISE(ABORT, 'no volumes today'); END",
    );
    other.close();
    await expect(createVolume(pools, { home, name: 'cache' })).rejects.toMatchObject({
      name: 'SqliteError',
      code: 'SQLITE_CONSTRAINT_TRIGGER',
    });
    expect(existsSync(volumeDir(home, 'cache'))).toBe(false);
    expect(existsSync(join(home, 'volumes'))).toBe(true);
  });

  it('should refuse a bad quota or name with INVALID_ARGUMENT and create nothing', async () => {
    const { pools, dir: home } = await openTestPools();
    await expect(createVolume(pools, { home, name: 'v', quotaMib: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('volume "v": quota'),
    });
    await expect(createVolume(pools, { home, name: 'a/b' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(pools.read.get('SELECT count(*) FROM volume', undefined, 'pluck')).toBe(0);
    expect(existsSync(join(home, 'volumes'))).toBe(false);
  });
});

describe('listVolumes and removeVolume', () => {
  it('should list by name, and remove row and directory', async () => {
    const { pools, dir: home } = await openTestPools();
    await createVolume(pools, { home, name: 'b' });
    await createVolume(pools, { home, name: 'a', quotaMib: 10 });
    expect(listVolumes(pools.read).map((v) => [v.name, v.quotaMib])).toEqual([
      ['a', 10],
      ['b', null],
    ]);
    await removeVolume(pools, { home, name: 'a' });
    expect(listVolumes(pools.read).map((v) => v.name)).toEqual(['b']);
    expect(existsSync(volumeDir(home, 'a'))).toBe(false);
    expect(existsSync(volumeDir(home, 'b'))).toBe(true);
  });

  it('should refuse to remove a missing volume with VOLUME_NOT_FOUND', async () => {
    const { pools, dir: home } = await openTestPools();
    await expect(removeVolume(pools, { home, name: 'ghost' })).rejects.toMatchObject({
      code: 'VOLUME_NOT_FOUND',
      message: 'volume "ghost" does not exist',
    });
  });
});
