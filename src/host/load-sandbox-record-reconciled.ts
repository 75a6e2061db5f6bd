import type { DbPools } from '../db/index.js';
import { loadSandboxRecord } from './load-sandbox-record.js';
import { reconcileSandboxRuntimeState } from './reconcile-sandbox-runtime-state.js';
import type { SandboxRecord } from './sandbox-record.js';

/**
 * The sandbox named `name` after {@link reconcileSandboxRuntimeState}, or `undefined`.
 *
 * @example
 * ```ts
 * const record = await loadSandboxRecordReconciled(pools, 'web');
 * ```
 */
export async function loadSandboxRecordReconciled(
  pools: DbPools,
  name: string,
): Promise<SandboxRecord | undefined> {
  const record = loadSandboxRecord(pools.read, name);
  return record === undefined ? undefined : reconcileSandboxRuntimeState(pools, record);
}
