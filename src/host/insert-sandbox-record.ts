import { type DbWriteConnection, DbWriteTransaction } from '../db/index.js';
import { insertSandbox } from '../generated/index.js';
import type { SandboxConfig } from '../runtime/protocol.js';
import { type SandboxRecord, toSandboxRecord } from './sandbox-record.js';

/**
 * Inserts a sandbox as Running, before its runtime starts (a row with no run yet reads as "starting"
 * to the reconciler). A taken name is the driver's `SQLITE_CONSTRAINT_UNIQUE`, unwrapped: callers
 * check with {@link prepareCreateTarget} first.
 *
 * Like a generated `:write` function it runs inside a caller's transaction (synchronously) or in its own.
 *
 * @example
 * ```ts
 * const record = await insertSandboxRecord(pools.write, { name: 'web', config });
 * ```
 */
export function insertSandboxRecord(
  conn: DbWriteTransaction,
  sandbox: { readonly name: string; readonly config: SandboxConfig },
): SandboxRecord;
export function insertSandboxRecord(
  conn: DbWriteConnection,
  sandbox: { readonly name: string; readonly config: SandboxConfig },
): Promise<SandboxRecord>;
export function insertSandboxRecord(
  conn: DbWriteConnection | DbWriteTransaction,
  sandbox: { readonly name: string; readonly config: SandboxConfig },
): SandboxRecord | Promise<SandboxRecord> {
  if (!(conn instanceof DbWriteTransaction))
    return conn.transaction((tx) => insertSandboxRecord(tx, sandbox));
  const row = insertSandbox(conn, { name: sandbox.name, config: JSON.stringify(sandbox.config) });
  if (row === undefined) throw new Error(`INSERT … RETURNING gave no row for sandbox "${sandbox.name}"`);
  return toSandboxRecord(row);
}
