import type { DbReadConnection } from '../db/index.js';
import { selectSandboxes } from '../generated/index.js';
import { buildHandle } from './build-handle.js';
import type { SandboxHandle } from './sandbox-handle.js';
import { toSandboxRecord } from './sandbox-record.js';

/**
 * Every sandbox, by name, as handles read in one snapshot. It does not reconcile: run
 * {@link reapStaleSandboxes} first (the CLI does at start).
 *
 * @example
 * ```ts
 * for (const h of listSandboxes(pools.read)) console.log(h.record.name, h.record.status, h.pid);
 * ```
 */
export function listSandboxes(read: DbReadConnection): SandboxHandle[] {
  return read.snapshot((conn) => {
    const now = Date.now();
    return selectSandboxes(conn).map((row) => buildHandle(conn, toSandboxRecord(row), now));
  });
}
