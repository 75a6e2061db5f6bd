import { existsSync, mkdirSync, rmSync } from 'node:fs';
import type { DbPools } from '../db/index.js';
import { deleteSandbox } from '../generated/index.js';
import { sandboxDir } from '../runtime/sandbox-dir.js';
import { assertValidName } from './assert-valid-name.js';
import { DEFAULT_STOP_TIMEOUT_MS } from './default-stop-timeout.js';
import { HostError } from './host-error.js';
import { loadSandboxRecordReconciled } from './load-sandbox-record-reconciled.js';
import { isActiveStatus } from './sandbox-record.js';
import { stopSandboxForReplacement } from './stop-sandbox-for-replacement.js';

/**
 * Options of {@link prepareCreateTarget}.
 *
 * @example
 * ```ts
 * const target: CreateTarget = { home, name: 'web', replace: true };
 * ```
 */
export interface CreateTarget {
  readonly home: string;
  readonly name: string;
  /** Stop, delete and wipe an existing sandbox or leftover directory of that name. */
  readonly replace?: boolean;
  /** How long a replaced runtime gets between SIGTERM and SIGKILL (default 15 s). */
  readonly stopTimeoutMs?: number;
}

/**
 * Makes room for a new sandbox `name` and creates its empty directory; resolves the directory.
 *
 * 1. An existing sandbox is refused (`HostError` `SANDBOX_EXISTS`) unless `replace`; replacing stops it
 *    ({@link stopSandboxForReplacement}) if it is active, then deletes its row (runs, metrics and
 *    image pin go with it by cascade).
 * 2. A leftover `<home>/sandboxes/<name>` directory without a row is refused (`SANDBOX_DIR_EXISTS`)
 *    unless `replace`; replacing (or a replaced sandbox's directory) is wiped.
 *
 * @example
 * ```ts
 * const dir = await prepareCreateTarget(pools, { home, name: 'web', replace: true });
 * ```
 */
export async function prepareCreateTarget(pools: DbPools, target: CreateTarget): Promise<string> {
  assertValidName('sandbox', target.name);
  const replace = target.replace === true;
  const dir = sandboxDir(target.home, target.name);
  const record = await loadSandboxRecordReconciled(pools, target.name);
  if (record !== undefined) {
    if (!replace) {
      throw new HostError(
        'SANDBOX_EXISTS',
        `sandbox "${target.name}" already exists (${record.status}); remove it or pass replace`,
      );
    }
    if (isActiveStatus(record.status)) {
      await stopSandboxForReplacement(pools, record, {
        timeoutMs: target.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
      });
    }
    await deleteSandbox(pools.write, { id: record.id });
  } else if (existsSync(dir) && !replace) {
    throw new HostError(
      'SANDBOX_DIR_EXISTS',
      `sandbox "${target.name}" has a leftover directory ${dir}; remove it or pass replace`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}
