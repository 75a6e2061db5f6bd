import type { DbReadConnection, DbWriteTransaction } from '../db/index.js';
import { selectActiveRun } from '../generated/index.js';
import type { RunRecord } from './run-record.js';

/**
 * The newest run of a sandbox still recorded as Running, whether or not its process is alive.
 *
 * @example
 * ```ts
 * const run = loadActiveRun(pools.read, record.id);
 * ```
 */
export function loadActiveRun(
  conn: DbReadConnection | DbWriteTransaction,
  sandboxId: number,
): RunRecord | undefined {
  return selectActiveRun(conn, { sandboxId });
}
