import type { DbWriteConnection } from '../db/index.js';
import { insertSandbox } from '../generated/index.js';
import type { SandboxConfig } from '../runtime/protocol.js';
import { type SandboxRecord, toSandboxRecord } from './sandbox-record.js';

/**
 * Inserts a sandbox as Running, before its runtime starts (a row with no run yet reads as "starting"
 * to the reconciler). A taken name is the driver's `SQLITE_CONSTRAINT_UNIQUE`, unwrapped: callers
 * check with {@link prepareCreateTarget} first.
 *
 * @example
 * ```ts
 * const record = await insertSandboxRecord(pools.write, { name: 'web', config });
 * ```
 */
export async function insertSandboxRecord(
  write: DbWriteConnection,
  sandbox: { readonly name: string; readonly config: SandboxConfig },
): Promise<SandboxRecord> {
  const row = await insertSandbox(write, { name: sandbox.name, config: JSON.stringify(sandbox.config) });
  if (row === undefined) throw new Error(`INSERT … RETURNING gave no row for sandbox "${sandbox.name}"`);
  return toSandboxRecord(row);
}
