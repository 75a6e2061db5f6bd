import { describe, expect, it } from 'vitest';
import { DbWriteTransaction } from '../../src/db/index.js';
import { openTestPools } from '../support/open-test-pools.js';
import {
  countSandboxes,
  deleteStoppedSandboxes,
  insertSandbox,
  selectSandboxByName,
  selectSandboxNamesByIds,
  setSandboxStatus,
} from '../types/db-typed-functions.js';

describe('generated-shaped functions', () => {
  it('should run a :write function on the bare writer in its own transaction', async () => {
    const { pools } = await openTestPools();
    const pending = insertSandbox(pools.write, { name: 'web', config: '{}' });
    expect(pending).toBeInstanceOf(Promise);
    const row = await pending;
    expect(row).toEqual({ id: expect.any(Number), name: 'web', status: 'Running' });
    expect(pools.write.stats.commits).toBe(1);
    expect(selectSandboxByName(pools.read, { name: 'web' })).toEqual(row);
    expect(selectSandboxByName(pools.read, { name: 'nope' })).toBeUndefined();
  });

  it('should run :read and :write functions synchronously on the transaction handle', async () => {
    const { pools } = await openTestPools();
    const result = await pools.write.transaction((tx) => {
      expect(tx).toBeInstanceOf(DbWriteTransaction);
      const a = insertSandbox(tx, { name: 'a', config: '{}' });
      const b = insertSandbox(tx, { name: 'b', config: '{}' });
      // The read sees the transaction's own uncommitted writes.
      const seen = selectSandboxByName(tx, { name: 'b' });
      const changed = setSandboxStatus(tx, { id: b!.id, status: 'Stopped' });
      return { a, seen, changed, count: countSandboxes(tx) };
    });
    expect(result.a?.name).toBe('a');
    expect(result.seen?.status).toBe('Running');
    expect(result.changed).toBe(1);
    expect(result.count).toBe(2);
    expect(pools.read.all('SELECT name, status FROM sandbox ORDER BY id', undefined, 'raw')).toEqual([
      ['a', 'Running'],
      ['b', 'Stopped'],
    ]);
    expect(pools.write.stats.commits).toBe(1);
  });

  it('should count changed rows and run a parameterless :exec', async () => {
    const { pools } = await openTestPools();
    const a = await insertSandbox(pools.write, { name: 'a', config: '{}' });
    await insertSandbox(pools.write, { name: 'b', config: '{}' });
    expect(await setSandboxStatus(pools.write, { id: a!.id, status: 'Stopped' })).toBe(1);
    expect(await setSandboxStatus(pools.write, { id: 999, status: 'Stopped' })).toBe(0);
    await expect(deleteStoppedSandboxes(pools.write)).resolves.toBeUndefined();
    expect(countSandboxes(pools.read)).toBe(1);
    expect(selectSandboxByName(pools.read, { name: 'a' })).toBeUndefined();
  });

  it('should bind a list parameter through json_each', async () => {
    const { pools } = await openTestPools();
    const ids: number[] = [];
    for (const name of ['a', 'b', 'c'])
      ids.push((await insertSandbox(pools.write, { name, config: '{}' }))!.id);
    expect(selectSandboxNamesByIds(pools.read, { ids: [ids[2]!, ids[0]!] })).toEqual(['a', 'c']);
    expect(selectSandboxNamesByIds(pools.read, { ids: [] })).toEqual([]);
  });

  it('should pass the CHECK violation of a bad status through as the SqliteError', async () => {
    const { pools } = await openTestPools();
    const row = await insertSandbox(pools.write, { name: 'a', config: '{}' });
    const bad = { id: row!.id, status: 'Sleeping' } as unknown as Parameters<typeof setSandboxStatus>[1];
    await expect(setSandboxStatus(pools.write, bad)).rejects.toMatchObject({
      name: 'SqliteError',
      code: 'SQLITE_CONSTRAINT_CHECK',
    });
    expect(selectSandboxByName(pools.read, { name: 'a' })?.status).toBe('Running');
  });
});
