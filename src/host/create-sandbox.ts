import { rm } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import {
  type DbPools,
  type DbWriteConnection,
  DbWriteTransaction,
  makePrivateDirAsync,
  pathExists,
} from '../db/index.js';
import { deleteSandbox, insertSandbox, upsertOciManifestPin } from '../generated/index.js';
import { HostError } from '../sandbox/errors.js';
import { sandboxDir } from '../sandbox/paths.js';
import type { SandboxConfig } from '../sandbox/protocol.js';
import { resolveImage } from './images.js';
import { loadSandboxRecordReconciled } from './reconcile.js';
import {
  assertValidName,
  isActiveStatus,
  type SandboxRecord,
  startDeadline,
  toSandboxRecord,
} from './records.js';
import { DEFAULT_READY_TIMEOUT_MS, prestartRuntimeLauncher } from './runtime-launcher.js';
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
 * Creates a sandbox and boots it: builds its config with the image's defaults (`INVALID_ARGUMENT`,
 * `IMAGE_NOT_FOUND`), makes room for it (`SANDBOX_EXISTS` / `SANDBOX_DIR_EXISTS` unless `replace`),
 * inserts it as Running with its image pin in one transaction, then starts its runtime and waits for the
 * ready report. A runtime that fails leaves the sandbox Stopped and rejects with `RUNTIME_START_FAILED`.
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
  const dir = await prepareCreateTarget(pools, {
    home: options.home,
    name: options.name,
    replace: options.replace === true,
    ...(options.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: options.stopTimeoutMs }),
  });
  const deadline = startDeadline(options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  let record: SandboxRecord;
  try {
    // One transaction: a pin that failed after its own insert would leave a Running sandbox that no
    // runtime ever claims until its start deadline.
    record = await pools.write.transaction((tx) => {
      const inserted = insertSandboxRecord(tx, { name: options.name, config, startDeadline: deadline });
      if (config.image !== null)
        upsertOciManifestPin(tx, { sandboxId: inserted.id, digest: config.image.digest });
      return inserted;
    });
  } catch (err) {
    // Another create of the same name (a concurrent --replace) inserted first: a conflict, not a crash.
    if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new HostError(
        'SANDBOX_EXISTS',
        `sandbox "${options.name}" was created by another command meanwhile`,
        { cause: err },
      );
    }
    throw err;
  }
  // Only now, with the row in place: a create that fails before its insert leaves no directory behind.
  // Asynchronous, like every filesystem call of a create: during a storm of boots a synchronous one
  // held the host's thread for hundreds of milliseconds.
  await makePrivateDirAsync(dir);
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

/** What a sandbox's image contributes as defaults (from the OCI image config). */
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
 * const spec: SandboxSpec = { name: 'web', command: 'sleep', args: ['60'], metricsIntervalMs: null };
 * ```
 */
export interface SandboxSpec {
  readonly name: string;
  readonly command?: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Absolute; absent means the image's working dir, else the sandbox directory. */
  readonly workingDir?: string;
  /** Default 1000; null turns sampling off. */
  readonly metricsIntervalMs?: number | null;
}

/**
 * A new sandbox's config, with OCI semantics for image defaults: `command args…`, or else the image's
 * entrypoint followed by `args` (or, with no args, the image's cmd); env overlaid on the image's; working
 * dir the spec's, else the image's, else null. Refusals are `INVALID_ARGUMENT` naming the sandbox.
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
  const metricsIntervalMs = spec.metricsIntervalMs === undefined ? 1000 : spec.metricsIntervalMs;
  // Past 2^31-1 ms Node's timers fire at once: the runtime would sample every millisecond.
  if (
    metricsIntervalMs !== null &&
    (!Number.isSafeInteger(metricsIntervalMs) || metricsIntervalMs < 10 || metricsIntervalMs > 2 ** 31 - 1)
  ) {
    throw bad(
      `metrics interval must be a whole number of milliseconds from 10 to 2147483647, got ${metricsIntervalMs}`,
    );
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

/** What {@link prepareCreateTarget} makes room for. */
export interface CreateTarget {
  readonly home: string;
  readonly name: string;
  /** Stop, delete and wipe an existing sandbox or leftover directory of that name. */
  readonly replace?: boolean;
  /** How long a replaced runtime gets between SIGTERM and SIGKILL (default 15 s). */
  readonly stopTimeoutMs?: number;
}

/**
 * Makes room for sandbox `name` and resolves its directory, which is gone: the caller creates it once its
 * row is in. An existing sandbox (`SANDBOX_EXISTS`) or leftover directory (`SANDBOX_DIR_EXISTS`) is
 * refused unless `replace`; replacing stops an active one, deletes its row (runs, metrics and pin by
 * cascade) and wipes the directory.
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
  } else if (!replace && (await pathExists(dir))) {
    throw new HostError(
      'SANDBOX_DIR_EXISTS',
      `sandbox "${target.name}" has a leftover directory ${dir}; remove it or pass replace`,
    );
  }
  await rm(dir, { recursive: true, force: true });
  return dir;
}

/** A sandbox row to insert. */
export interface NewSandbox {
  readonly name: string;
  readonly config: SandboxConfig;
  readonly startDeadline?: string;
}

/**
 * Inserts a sandbox as Running before its runtime starts (no run yet reads as "starting" until
 * `startDeadline`, default: the default ready timeout from now), inside the caller's transaction or its
 * own. A taken name is the driver's `SQLITE_CONSTRAINT_UNIQUE`, unwrapped.
 */
export function insertSandboxRecord(conn: DbWriteTransaction, sandbox: NewSandbox): SandboxRecord;
export function insertSandboxRecord(conn: DbWriteConnection, sandbox: NewSandbox): Promise<SandboxRecord>;
export function insertSandboxRecord(
  conn: DbWriteConnection | DbWriteTransaction,
  sandbox: NewSandbox,
): SandboxRecord | Promise<SandboxRecord> {
  if (!(conn instanceof DbWriteTransaction))
    return conn.transaction((tx) => insertSandboxRecord(tx, sandbox));
  const row = insertSandbox(conn, {
    name: sandbox.name,
    config: JSON.stringify(sandbox.config),
    startDeadline: sandbox.startDeadline ?? startDeadline(DEFAULT_READY_TIMEOUT_MS),
  });
  return toSandboxRecord(row);
}
