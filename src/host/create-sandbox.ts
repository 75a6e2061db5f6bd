import type { DbPools } from '../db/index.js';
import { buildSandboxConfig, type ImageDefaults, type SandboxSpec } from './build-sandbox-config.js';
import { persistOciManifestPin } from './image/persist-oci-manifest-pin.js';
import { resolveImage } from './image/resolve-image.js';
import { insertSandboxRecord } from './insert-sandbox-record.js';
import { type LaunchOptions, launchSandboxRuntime } from './launch-sandbox-runtime.js';
import { prepareCreateTarget } from './prepare-create-target.js';
import { prestartRuntimeLauncher } from './runtime/start-runtime.js';
import type { SandboxStarted } from './start-sandbox.js';

/**
 * Options of {@link createSandbox}: the sandbox's definition plus how to create it.
 *
 * @example
 * ```ts
 * const options: CreateSandboxOptions = { home, name: 'web', command: 'sleep', args: ['60'], replace: true };
 * ```
 */
export interface CreateSandboxOptions extends SandboxSpec, LaunchOptions {
  /** An imported image (`name:tag`) whose entrypoint/cmd, env and working dir are the defaults. */
  readonly image?: string;
  /** Stop, delete and wipe an existing sandbox (or leftover directory) of that name first. */
  readonly replace?: boolean;
  /** How long a replaced runtime gets between SIGTERM and SIGKILL (default 15 s). */
  readonly stopTimeoutMs?: number;
}

/**
 * Creates a sandbox and boots it.
 *
 * 1. Builds its config ({@link buildSandboxConfig}) with the image's defaults, if any; a bad spec is
 *    `HostError` `INVALID_ARGUMENT`, an unknown image `IMAGE_NOT_FOUND`.
 * 2. Makes room ({@link prepareCreateTarget}): an existing sandbox or leftover directory is
 *    `SANDBOX_EXISTS` / `SANDBOX_DIR_EXISTS` unless `replace`.
 * 3. Inserts the sandbox as Running and pins the image's manifest in one transaction
 *    (`persistOciManifestPin`; the config JSON keeps the digest too), then starts its runtime and waits for its ready report; a runtime that
 *    fails leaves the sandbox Stopped and rejects with `RUNTIME_START_FAILED`.
 *
 * @example
 * ```ts
 * const { record, runtime } = await createSandbox(pools, { home, name: 'web', command: 'sleep', args: ['60'] });
 * ```
 */
export async function createSandbox(pools: DbPools, options: CreateSandboxOptions): Promise<SandboxStarted> {
  prestartRuntimeLauncher();
  const image = options.image === undefined ? undefined : imageDefaults(pools, options.image);
  const config = buildSandboxConfig(options, image);
  await prepareCreateTarget(pools, {
    home: options.home,
    name: options.name,
    replace: options.replace === true,
    ...(options.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: options.stopTimeoutMs }),
  });
  // One transaction: a pin that failed after its own insert would leave a Running sandbox that no
  // runtime ever claims, which reconcile reads as "still starting" forever.
  const record = await pools.write.transaction((tx) => {
    const inserted = insertSandboxRecord(tx, { name: options.name, config });
    if (config.image !== null)
      persistOciManifestPin(tx, { sandboxId: inserted.id, digest: config.image.digest });
    return inserted;
  });
  const runtime = await launchSandboxRuntime(pools.write, record, options);
  return { record, runtime };
}

function imageDefaults(pools: DbPools, reference: string): ImageDefaults {
  const image = resolveImage(pools.read, reference);
  return {
    reference: image.reference,
    digest: image.digest,
    entrypoint: image.entrypoint ?? [],
    cmd: image.cmd ?? [],
    env: image.env,
    workingDir: image.workingDir,
  };
}
