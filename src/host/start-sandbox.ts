import type { DbPools, DbWriteConnection } from '../db/index.js';
import {
  markSandboxStartingIfIdle,
  markSandboxStoppedUnlessRunRunning,
  selectRunningRunOfPid,
  terminateActiveRun,
} from '../generated/index.js';
import { HostError } from '../sandbox/errors.js';
import { persistOciManifestPin } from './images.js';
import { requireSandbox } from './reconcile.js';
import { isActiveStatus, type SandboxRecord, toSandboxRecord } from './records.js';
import { prestartRuntimeLauncher, type RuntimeStarted, startRuntime } from './runtime-launcher.js';

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

/**
 * Options of {@link launchSandboxRuntime}.
 *
 * @example
 * ```ts
 * const launch: LaunchOptions = { home, readyTimeoutMs: 30_000 };
 * ```
 */
export interface LaunchOptions {
  readonly home: string;
  /** How long to wait for the runtime's ready report (default 30 s). */
  readonly readyTimeoutMs?: number;
  /** How long the runtime gives its workload between SIGTERM and SIGKILL on stop. */
  readonly stopGraceMs?: number;
}

/**
 * Starts the runtime of a sandbox already marked Running and waits until it reports ready (run row
 * inserted, workload spawned, first metric stored unless the workload already exited).
 *
 * 1. The runtime gets the record's id and name: if the sandbox is stopped, killed, removed or replaced
 *    before the runtime inserts its run, the runtime refuses to run (`SANDBOX_NOT_FOUND` /
 *    `SANDBOX_NOT_STARTABLE` in the rejection's message) and the host's decision stands.
 * 2. A runtime that fails to start rejects with `startRuntime`'s `HostError` `RUNTIME_START_FAILED`.
 *    Before that, in one transaction, a run that runtime inserted and left Running (it was killed for
 *    not reporting in time, or died) becomes Terminated/InternalError with the failure as its detail,
 *    and the sandbox is marked Stopped unless another run of it is Running (a start that raced this
 *    one won), so it never stays Running without a runtime.
 *
 * @example
 * ```ts
 * const started = await launchSandboxRuntime(pools.write, record, { home });
 * started.runtimePid;
 * ```
 */
export async function launchSandboxRuntime(
  write: DbWriteConnection,
  record: SandboxRecord,
  options: LaunchOptions,
): Promise<RuntimeStarted> {
  let runtimePid: number | undefined;
  try {
    return await startRuntime({
      dbPath: write.path,
      sandboxName: record.name,
      sandboxId: record.id,
      msbHome: options.home,
      onSpawn: (pid) => {
        runtimePid = pid;
      },
      ...(options.readyTimeoutMs === undefined ? {} : { timeoutMs: options.readyTimeoutMs }),
      ...(options.stopGraceMs === undefined ? {} : { stopGraceMs: options.stopGraceMs }),
    });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    await write.transaction((tx) => {
      const run =
        runtimePid === undefined
          ? undefined
          : selectRunningRunOfPid(tx, { sandboxId: record.id, pid: runtimePid });
      if (run !== undefined) {
        terminateActiveRun(tx, {
          id: run.id,
          terminationReason: 'InternalError',
          terminationDetail: `runtime pid ${run.pid} did not report ready: ${detail}`,
          exitCode: null,
          exitSignal: null,
        });
      }
      markSandboxStoppedUnlessRunRunning(tx, { id: record.id });
    });
    throw err;
  }
}
