import type { DbWriteConnection } from '../db/index.js';
import { markSandboxStoppedIfActive } from '../generated/index.js';
import { type RuntimeStarted, startRuntime } from './runtime/start-runtime.js';
import type { SandboxRecord } from './sandbox-record.js';

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
 * inserted, workload spawned, first metric stored).
 *
 * A runtime that fails to start rejects with `startRuntime`'s `HostError` `RUNTIME_START_FAILED`;
 * before that, the sandbox is marked Stopped (if still active), so it never stays Running without a
 * runtime.
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
  try {
    return await startRuntime({
      dbPath: write.path,
      sandboxName: record.name,
      msbHome: options.home,
      ...(options.readyTimeoutMs === undefined ? {} : { timeoutMs: options.readyTimeoutMs }),
      ...(options.stopGraceMs === undefined ? {} : { stopGraceMs: options.stopGraceMs }),
    });
  } catch (err) {
    await markSandboxStoppedIfActive(write, { id: record.id });
    throw err;
  }
}
