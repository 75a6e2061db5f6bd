import { rmSync } from 'node:fs';
import type { DbPools } from '../db/index.js';
import { deleteSandboxIfIdle } from '../generated/index.js';
import { sandboxDir } from '../runtime/sandbox-dir.js';
import { HostError } from './host-error.js';
import { requireSandbox } from './require-sandbox.js';

/**
 * Removes a sandbox that is not running: its row (runs, metrics and image pin go by cascade), then its
 * directory `<home>/sandboxes/<name>`.
 *
 * 1. A missing sandbox is `HostError` `SANDBOX_NOT_FOUND`.
 * 2. A Running or Draining one (after reconcile, so a dead runtime does not block) is
 *    `SANDBOX_RUNNING`; the check and the delete are one statement.
 *
 * @example
 * ```ts
 * await removeSandbox(pools, { home, name: 'web' });
 * ```
 */
export async function removeSandbox(
  pools: DbPools,
  target: { readonly home: string; readonly name: string },
): Promise<void> {
  const record = await requireSandbox(pools, target.name);
  const deleted = await deleteSandboxIfIdle(pools.write, { id: record.id });
  if (deleted === 0) {
    throw new HostError(
      'SANDBOX_RUNNING',
      `sandbox "${record.name}" is running; stop or kill it before removing it`,
    );
  }
  rmSync(sandboxDir(target.home, record.name), { recursive: true, force: true });
}
