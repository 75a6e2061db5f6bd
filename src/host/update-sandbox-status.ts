import type { DbWriteConnection } from '../db/index.js';
import { setSandboxStatus } from '../generated/index.js';
import type { SandboxStatus } from './sandbox-record.js';

/**
 * Sets a sandbox's status unconditionally (and `updated_at`); resolves whether the row exists.
 *
 * @example
 * ```ts
 * await updateSandboxStatus(pools.write, record.id, 'Stopped');
 * ```
 */
export async function updateSandboxStatus(
  write: DbWriteConnection,
  id: number,
  status: SandboxStatus,
): Promise<boolean> {
  return (await setSandboxStatus(write, { id, status })) > 0;
}
