import type { DbReadConnection } from '../db/index.js';
import { selectSandboxes } from '../generated/index.js';
import { buildHandle } from './build-handle.js';
import type { SandboxHandle } from './sandbox-handle.js';
import { toSandboxRecord } from './sandbox-record.js';

// Natural order, so fleet-2 comes before fleet-10 (SQLite's ORDER BY name compares bytes).
const BY_NAME = new Intl.Collator('en', { numeric: true });

/**
 * Every sandbox, by name in natural order, as handles read in one snapshot. It does not reconcile: run
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
    return selectSandboxes(conn)
      .sort((a, b) => BY_NAME.compare(a.name, b.name))
      .map((row) => buildHandle(conn, toSandboxRecord(row), now));
  });
}
