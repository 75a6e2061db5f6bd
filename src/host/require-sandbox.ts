import type { DbPools } from '../db/index.js';
import { HostError } from './host-error.js';
import { loadSandboxRecordReconciled } from './load-sandbox-record-reconciled.js';
import type { SandboxRecord } from './sandbox-record.js';

/**
 * The reconciled sandbox named `name`; a missing one is `HostError` `SANDBOX_NOT_FOUND`.
 *
 * @example
 * ```ts
 * const record = await requireSandbox(pools, 'web');
 * ```
 */
export async function requireSandbox(pools: DbPools, name: string): Promise<SandboxRecord> {
  const record = await loadSandboxRecordReconciled(pools, name);
  if (record === undefined) throw new HostError('SANDBOX_NOT_FOUND', `sandbox "${name}" does not exist`);
  return record;
}
