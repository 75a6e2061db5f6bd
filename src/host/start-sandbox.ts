import type { DbPools } from '../db/index.js';
import { markSandboxStartingIfIdle } from '../generated/index.js';
import { HostError } from './host-error.js';
import { persistOciManifestPin } from './image/persist-oci-manifest-pin.js';
import { type LaunchOptions, launchSandboxRuntime } from './launch-sandbox-runtime.js';
import { requireSandbox } from './require-sandbox.js';
import { prestartRuntimeLauncher, type RuntimeStarted } from './runtime/start-runtime.js';
import { isActiveStatus, type SandboxRecord, toSandboxRecord } from './sandbox-record.js';

/**
 * A sandbox whose runtime reported ready.
 *
 * @example
 * ```ts
 * const { record, runtime }: SandboxStarted = await startSandbox(pools, { home, name: 'web' });
 * ```
 */
export interface SandboxStarted {
  readonly record: SandboxRecord;
  readonly runtime: RuntimeStarted;
}

/**
 * Starts a Stopped or Crashed sandbox again with its stored config.
 *
 * 1. A missing sandbox is `HostError` `SANDBOX_NOT_FOUND`; one that is Running or Draining (after
 *    reconcile) is `SANDBOX_RUNNING`.
 * 2. The status moves to Running with a compare-and-set, so two concurrent starts launch one runtime
 *    (the loser gets `SANDBOX_RUNNING`).
 * 3. A sandbox made from an image pins its manifest digest again (an upsert: still one
 *    `sandbox_rootfs` row), so the pin holds even if it was lost.
 * 4. The runtime is launched ({@link launchSandboxRuntime}); if it fails the sandbox is Stopped again.
 *
 * @example
 * ```ts
 * const { runtime } = await startSandbox(pools, { home, name: 'web' });
 * ```
 */
export async function startSandbox(
  pools: DbPools,
  options: LaunchOptions & { readonly name: string },
): Promise<SandboxStarted> {
  prestartRuntimeLauncher();
  const record = await requireSandbox(pools, options.name);
  const running = () =>
    new HostError('SANDBOX_RUNNING', `sandbox "${record.name}" is already ${record.status.toLowerCase()}`);
  if (isActiveStatus(record.status)) throw running();
  // Claim and pin together: a failed pin must not leave a Running sandbox that no runtime will claim.
  const starting = await pools.write.transaction((tx) => {
    const row = markSandboxStartingIfIdle(tx, { id: record.id });
    if (row === undefined) return undefined;
    const claimed = toSandboxRecord(row);
    if (claimed.config.image !== null) {
      persistOciManifestPin(tx, { sandboxId: claimed.id, digest: claimed.config.image.digest });
    }
    return claimed;
  });
  if (starting === undefined) throw running();
  const runtime = await launchSandboxRuntime(pools.write, starting, options);
  return { record: starting, runtime };
}
