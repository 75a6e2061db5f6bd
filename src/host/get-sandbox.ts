import type { DbPools } from '../db/index.js';
import { buildHandle } from './build-handle.js';
import { requireSandbox } from './require-sandbox.js';
import type { SandboxHandle } from './sandbox-handle.js';

/**
 * The reconciled handle of sandbox `name`; a missing one is `HostError` `SANDBOX_NOT_FOUND`.
 *
 * @example
 * ```ts
 * const { record, pid } = await getSandbox(pools, 'web');
 * ```
 */
export async function getSandbox(pools: DbPools, name: string): Promise<SandboxHandle> {
  const record = await requireSandbox(pools, name);
  return pools.read.snapshot((read) => buildHandle(read, record));
}
