import type { DbReadConnection, DbWriteTransaction } from '../db/index.js';
import { selectSandboxByName } from '../generated/index.js';
import { type SandboxRecord, toSandboxRecord } from './sandbox-record.js';

/**
 * The sandbox named `name`, or `undefined`. Read-only; may join a write transaction.
 *
 * @example
 * ```ts
 * const record = loadSandboxRecord(pools.read, 'web');
 * ```
 */
export function loadSandboxRecord(
  conn: DbReadConnection | DbWriteTransaction,
  name: string,
): SandboxRecord | undefined {
  const row = selectSandboxByName(conn, { name });
  return row === undefined ? undefined : toSandboxRecord(row);
}
