import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { type DbPools, type DbWriteConnection, DbWriteTransaction } from '../db/index.js';
import { deleteSandbox, insertSandbox } from '../generated/index.js';
import { HostError } from '../sandbox/errors.js';
import { sandboxDir } from '../sandbox/paths.js';
import type { SandboxConfig } from '../sandbox/protocol.js';
import { persistOciManifestPin, resolveImage } from './images.js';
import { loadSandboxRecordReconciled } from './reconcile.js';
import { assertValidName, isActiveStatus, type SandboxRecord, toSandboxRecord } from './records.js';
import { prestartRuntimeLauncher } from './runtime-launcher.js';
import { type LaunchOptions, launchSandboxRuntime, type SandboxStarted } from './start-sandbox.js';
import { DEFAULT_STOP_TIMEOUT_MS, stopSandboxForReplacement } from './stop-sandbox.js';

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

/**
 * What a sandbox's image contributes as defaults (from the OCI image config).
 *
 * @example
 * ```ts
 * const defaults: ImageDefaults = {
 *   reference: 'app:1', digest: 'sha256:…', entrypoint: [], cmd: ['sleep', '60'], env: {}, workingDir: null,
 * };
 * ```
 */
export interface ImageDefaults {
  readonly reference: string;
  readonly digest: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly workingDir: string | null;
}

/**
 * What the user asked for; anything left out comes from the image, if any.
 *
 * @example
 * ```ts
 * const spec: SandboxSpec = { name: 'web', command: 'sleep', args: ['60'] };
 * ```
 */
export interface SandboxSpec {
  readonly name: string;
  readonly command?: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Absolute; absent means the image's working dir, else the sandbox directory. */
  readonly workingDir?: string;
  readonly metricsIntervalMs?: number;
}

/**
 * Builds the config JSON of a new sandbox, with OCI semantics for image defaults:
 *
 * 1. With a `command`, the workload is `command args…`. Without one, it is the image's `entrypoint`
 *    followed by `args` (or, when no args are given, the image's `cmd`).
 * 2. `env` is the image's env overlaid by the spec's; `workingDir` the spec's, else the image's, else
 *    null (the sandbox directory).
 * 3. `image` keeps the reference and the manifest digest, so the pin survives a re-tagged reference.
 * 4. No command from either side, a relative working dir or a bad interval is `HostError`
 *    `INVALID_ARGUMENT` naming the sandbox.
 *
 * @example
 * ```ts
 * buildSandboxConfig({ name: 'web', args: ['-c', 'echo hi'] }, { ...defaults, entrypoint: ['sh'] });
 * // { command: 'sh', args: ['-c', 'echo hi'], … }
 * ```
 */
export function buildSandboxConfig(spec: SandboxSpec, image?: ImageDefaults): SandboxConfig {
  const bad = (why: string): HostError => new HostError('INVALID_ARGUMENT', `sandbox "${spec.name}": ${why}`);
  let argv: readonly string[];
  if (spec.command !== undefined) {
    argv = [spec.command, ...(spec.args ?? [])];
  } else if (image !== undefined) {
    argv = [
      ...image.entrypoint,
      ...(spec.args !== undefined && spec.args.length > 0 ? spec.args : image.cmd),
    ];
  } else {
    argv = spec.args ?? [];
  }
  const [command, ...args] = argv;
  if (command === undefined || command === '') {
    throw bad(
      image === undefined
        ? 'no command given'
        : `no command given and image "${image.reference}" has no entrypoint or cmd`,
    );
  }
  // OCI configs spell "no working dir" as an empty string.
  const workingDir = spec.workingDir ?? (image?.workingDir === '' ? null : (image?.workingDir ?? null));
  if (workingDir !== null && !isAbsolute(workingDir)) {
    throw bad(`working directory "${workingDir}" must be an absolute path`);
  }
  const metricsIntervalMs = spec.metricsIntervalMs ?? 1000;
  if (!Number.isSafeInteger(metricsIntervalMs) || metricsIntervalMs < 10) {
    throw bad(`metrics interval must be a whole number of milliseconds >= 10, got ${metricsIntervalMs}`);
  }
  return {
    command,
    args,
    env: { ...image?.env, ...spec.env },
    workingDir,
    image: image === undefined ? null : { reference: image.reference, digest: image.digest },
    metricsIntervalMs,
  };
}

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
