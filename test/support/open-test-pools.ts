import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { DbPools, type DbPoolsOptions } from '../../src/db/index.js';

/**
 * A fresh database file in its own temp directory, migrated with the project's schema (or the given
 * migrations), closed and deleted when the current test finishes.
 *
 * @example
 * ```ts
 * it('should insert a sandbox', async () => {
 *   const { pools } = await openTestPools();
 *   await insertSandboxRecord(pools.write, { name: 'a', config: '{}' });
 * });
 * ```
 */
export async function openTestPools(
  options: DbPoolsOptions = {},
): Promise<{ pools: DbPools; dir: string; path: string }> {
  const dir = makeTempDir();
  const path = join(dir, 'db', 'msb.db');
  const pools = await DbPools.open(path, { connectTimeoutMs: 5_000, ...options });
  onTestFinished(() => pools.close());
  return { pools, dir, path };
}

/**
 * A temp directory removed when the current test finishes.
 *
 * @example
 * ```ts
 * const home = makeTempDir();
 * ```
 */
export function makeTempDir(prefix = 'msb-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
