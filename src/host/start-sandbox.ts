import type { DbPools, DbWriteConnection } from '../db/index.js';
import {
  markSandboxStartingIfIdle,
  markSandboxStoppedUnlessRunRunning,
  selectRunningRunOfPid,
  terminateActiveRun,
  upsertOciManifestPin,
} from '../generated/index.js';
import { HostError } from '../sandbox/errors.js';
import { requireSandbox } from './reconcile.js';
import { isActiveStatus, type SandboxRecord, startDeadline, toSandboxRecord } from './records.js';
import {
  DEFAULT_READY_TIMEOUT_MS,
  prestartRuntimeLauncher,
  type RuntimeStarted,
  startRuntime,
} from './runtime-launcher.js';

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
 * Starts a Stopped or Crashed sandbox again with its stored config. Running or Draining (after
 * reconcile) is `HostError` `SANDBOX_RUNNING`; the status moves with a compare-and-set, so of two
 * concurrent starts one launches and the other gets `SANDBOX_RUNNING`. An image's manifest is pinned
 * again (an upsert), so the pin holds even if it was lost.
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
    const row = markSandboxStartingIfIdle(tx, {
      id: record.id,
      startDeadline: startDeadline(options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS),
    });
    if (row === undefined) return undefined;
    const claimed = toSandboxRecord(row);
    if (claimed.config.image !== null) {
      upsertOciManifestPin(tx, { sandboxId: claimed.id, digest: claimed.config.image.digest });
    }
    return claimed;
  });
  if (starting === undefined) throw running();
  const runtime = await launchSandboxRuntime(pools.write, starting, options);
  return { record: starting, runtime };
}

/**
 * How a sandbox's runtime is launched.
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
 * Starts the runtime of a sandbox already marked Running and waits for its ready report. The runtime
 * gets the record's id and name, so a sandbox stopped, removed or replaced before the runtime claims it
 * keeps the host's decision (the runtime refuses). On failure, in one transaction, a run that runtime
 * left Running becomes Terminated/InternalError and the sandbox Stopped unless another run of it is
 * Running (a racing start won): it never stays Running without a runtime.
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
