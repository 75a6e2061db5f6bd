import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DbPools, DbWriteConnection } from '../db/index.js';
import {
  deleteSandboxIfIdle,
  markSandboxStoppedIfActive,
  selectRunById,
  setSandboxStatus,
  terminateActiveRun,
} from '../generated/index.js';
import { HostError } from '../sandbox/errors.js';
import { sandboxDir } from '../sandbox/paths.js';
import { isRuntimeAlive, nextHostTurn, signalRuntime, waitForPidExit } from './processes.js';
import { loadActiveRun, requireSandbox } from './reconcile.js';
import { isActiveStatus, type RunRecord, type SandboxRecord, type SandboxStatus } from './records.js';

const POLL_MS = 20;

/**
 * How a stop ended.
 *
 * @example
 * ```ts
 * const { run, forced }: StopResult = await stopSandbox(pools, { name: 'web' });
 * ```
 */
export interface StopResult {
  /** The run as recorded after the stop (`undefined` if the sandbox had no run yet). */
  readonly run: RunRecord | undefined;
  /** True when the runtime did not exit within the timeout and its process group was SIGKILLed. */
  readonly forced: boolean;
}

/**
 * Stops a running sandbox gracefully.
 *
 * 1. A sandbox that is not Running or Draining (after reconcile) is `HostError` `SANDBOX_NOT_RUNNING`;
 *    a missing one `SANDBOX_NOT_FOUND`.
 * 2. The runtime gets SIGTERM (it forwards it to the workload), and the host waits up to `timeoutMs`
 *    (default {@link DEFAULT_STOP_TIMEOUT_MS}, 15 s) for the runtime to record the run's end and exit; the runtime marks the sandbox
 *    Stopped itself.
 * 3. After the timeout the runtime's process group gets SIGKILL; once it is dead the host records the
 *    run Terminated/Signal (`SIGKILL`) itself. A group that survives SIGKILL for 5 s is `STOP_TIMEOUT`.
 * 4. A Running sandbox whose runtime never inserted a run is simply marked Stopped.
 * 5. A runtime whose pid no longer leads its own process group is gone (the pid may belong to an
 *    unrelated process now, which is never signalled): its run becomes Terminated/InternalError unless
 *    the runtime recorded it, and the sandbox Stopped.
 *
 * @example
 * ```ts
 * const { run } = await stopSandbox(pools, { name: 'web', timeoutMs: 5_000 });
 * run?.exitSignal; // 'SIGTERM'
 * ```
 */
export async function stopSandbox(
  pools: DbPools,
  options: { readonly name: string; readonly timeoutMs?: number },
): Promise<StopResult> {
  await nextHostTurn();
  const record = await requireSandbox(pools, options.name);
  if (!isActiveStatus(record.status)) {
    throw new HostError('SANDBOX_NOT_RUNNING', `sandbox "${record.name}" is not running (${record.status})`);
  }
  const run = loadActiveRun(pools.read, record.id);
  if (run === undefined) {
    await markSandboxStoppedIfActive(pools.write, { id: record.id });
    return { run: undefined, forced: false };
  }
  // Not delivered: the pid no longer leads its group, so the runtime is gone (and the pid, if alive,
  // is someone else's); waiting on it could only time out.
  const delivered = signalRuntime(run.pid, 'SIGTERM', 'process');
  const timeoutMs = options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  const deadline = performance.now() + timeoutMs;
  let forced = false;
  for (;;) {
    const recorded = selectRunById(pools.read, { id: run.id })?.status === 'Terminated';
    const alive = delivered && isRuntimeAlive(run.pid);
    if (recorded && !alive) break;
    if (!recorded && !alive) {
      // Dead without a record: nothing will ever write it, so this is the stale case.
      await terminateActiveRun(pools.write, {
        id: run.id,
        terminationReason: 'InternalError',
        terminationDetail: delivered
          ? `runtime pid ${run.pid} exited after SIGTERM without recording its run`
          : `runtime pid ${run.pid} was gone before SIGTERM (the pid no longer leads its process group)`,
        exitCode: null,
        exitSignal: null,
      });
      break;
    }
    if (performance.now() >= deadline) {
      forced = true;
      signalRuntime(run.pid, 'SIGKILL', 'group');
      if (!(await waitForPidExit(run.pid, 5_000))) {
        throw new HostError(
          'STOP_TIMEOUT',
          `sandbox "${record.name}": runtime pid ${run.pid} survived SIGKILL of its process group`,
        );
      }
      await terminateActiveRun(pools.write, {
        id: run.id,
        terminationReason: 'Signal',
        terminationDetail: `runtime did not stop within ${timeoutMs} ms of SIGTERM; killed`,
        exitCode: null,
        exitSignal: 'SIGKILL',
      });
      break;
    }
    await sleep(POLL_MS);
  }
  // The runtime marks its sandbox Stopped in the same transaction as its run; this covers the paths
  // where the host wrote the run's end instead.
  await markSandboxStoppedIfActive(pools.write, { id: record.id });
  return { run: selectRunById(pools.read, { id: run.id }), forced };
}

/**
 * Kills a running sandbox at once.
 *
 * 1. A sandbox that is not Running or Draining (after reconcile) is `HostError` `SANDBOX_NOT_RUNNING`.
 * 2. The runtime's process group (runtime and workload) gets SIGKILL; the host waits up to 5 s to
 *    confirm the runtime is dead, else `KILL_FAILED` and nothing is recorded.
 * 3. In one transaction the run becomes Terminated/Signal (`SIGKILL`) and the sandbox Stopped; the
 *    killed runtime cannot record anything itself.
 * 4. A runtime with no process group left is already gone (its pid, if alive, is an unrelated
 *    process and is not signalled): its run becomes Terminated/InternalError (unless the runtime
 *    recorded it) and the sandbox Stopped.
 *
 * @example
 * ```ts
 * const run = await killSandbox(pools, 'web');
 * run?.terminationReason; // 'Signal'
 * ```
 */
export async function killSandbox(pools: DbPools, name: string): Promise<RunRecord | undefined> {
  await nextHostTurn();
  const record = await requireSandbox(pools, name);
  if (!isActiveStatus(record.status)) {
    throw new HostError('SANDBOX_NOT_RUNNING', `sandbox "${record.name}" is not running (${record.status})`);
  }
  const run = loadActiveRun(pools.read, record.id);
  // No such group: a live runtime always leads one, so it is gone, and its pid (if alive) is not ours.
  const delivered = run !== undefined && signalRuntime(run.pid, 'SIGKILL', 'group');
  if (run !== undefined && delivered) {
    if (!(await waitForPidExit(run.pid, 5_000))) {
      throw new HostError(
        'KILL_FAILED',
        `sandbox "${record.name}": runtime pid ${run.pid} is still alive 5 s after SIGKILL`,
      );
    }
  }
  await pools.write.transaction((tx) => {
    if (run !== undefined) {
      terminateActiveRun(
        tx,
        delivered
          ? {
              id: run.id,
              terminationReason: 'Signal',
              terminationDetail: 'killed by the host',
              exitCode: null,
              exitSignal: 'SIGKILL',
            }
          : {
              id: run.id,
              terminationReason: 'InternalError',
              terminationDetail: `runtime pid ${run.pid} was gone before SIGKILL (no process group of that id)`,
              exitCode: null,
              exitSignal: null,
            },
      );
    }
    markSandboxStoppedIfActive(tx, { id: record.id });
  });
  return run === undefined ? undefined : selectRunById(pools.read, { id: run.id });
}

/**
 * Stops a sandbox that is about to be replaced, then records it Stopped.
 *
 * 1. If its active run's runtime is alive, the runtime gets SIGTERM (it forwards it to the workload)
 *    and has `timeoutMs` to exit; after that its process group gets SIGKILL. A pid that no longer
 *    leads its own group is an unrelated process now: it is neither signalled nor waited for.
 * 2. A runtime that survives SIGKILL for 5 s is a `HostError` `STOP_TIMEOUT` and nothing is recorded.
 * 3. The run (if still Running) becomes Terminated/Signal and the sandbox Stopped
 *    ({@link markSandboxStoppedForReplacement}).
 *
 * @example
 * ```ts
 * await stopSandboxForReplacement(pools, record, { timeoutMs: 5_000 });
 * ```
 */
export async function stopSandboxForReplacement(
  pools: DbPools,
  record: SandboxRecord,
  options: { readonly timeoutMs: number },
): Promise<void> {
  const run = loadActiveRun(pools.read, record.id);
  let signal: NodeJS.Signals | null = null;
  // A pid that no longer leads its group is not our runtime any more: nothing is signalled or awaited.
  if (run !== undefined && isRuntimeAlive(run.pid) && signalRuntime(run.pid, 'SIGTERM', 'process')) {
    signal = 'SIGTERM';
    if (!(await waitForPidExit(run.pid, options.timeoutMs))) {
      signal = 'SIGKILL';
      if (signalRuntime(run.pid, 'SIGKILL', 'group') && !(await waitForPidExit(run.pid, 5_000))) {
        throw new HostError(
          'STOP_TIMEOUT',
          `sandbox "${record.name}": runtime pid ${run.pid} survived SIGTERM and SIGKILL; not replaced`,
        );
      }
    }
  }
  await markSandboxStoppedForReplacement(pools.write, {
    sandboxId: record.id,
    runId: run?.id ?? null,
    signal,
  });
}

/**
 * Records, in one transaction, that a sandbox was stopped so it can be replaced: its run (if one is
 * still Running) becomes Terminated/Signal with the signal that ended it, and the sandbox Stopped.
 *
 * @example
 * ```ts
 * await markSandboxStoppedForReplacement(pools.write, { sandboxId: 1, runId: 7, signal: 'SIGTERM' });
 * ```
 */
export function markSandboxStoppedForReplacement(
  write: DbWriteConnection,
  target: { readonly sandboxId: number; readonly runId: number | null; readonly signal: string | null },
): Promise<void> {
  return write.transaction((tx) => {
    if (target.runId !== null) {
      terminateActiveRun(tx, {
        id: target.runId,
        terminationReason: 'Signal',
        terminationDetail: 'stopped to be replaced',
        exitCode: null,
        exitSignal: target.signal,
      });
    }
    setSandboxStatus(tx, { id: target.sandboxId, status: 'Stopped' });
  });
}

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

/**
 * How long a stop waits between SIGTERM and SIGKILL by default: 15 s, longer than the runtime's own
 * 10 s grace for its workload (`--stop-grace-ms`), so a runtime that has to SIGKILL a stubborn
 * workload still records the run itself before the host steps in.
 *
 * @example
 * ```ts
 * await stopSandbox(pools, { name, timeoutMs: DEFAULT_STOP_TIMEOUT_MS });
 * ```
 */
export const DEFAULT_STOP_TIMEOUT_MS = 15_000;

/**
 * Sets a sandbox's status unconditionally (and `updated_at`); resolves whether the row exists.
 *
 * @example
 * ```ts
 * await updateSandboxStatus(pools.write, record.id, 'Stopped');
 * ```
 */
export async function updateSandboxStatus(
  write: DbWriteConnection,
  id: number,
  status: SandboxStatus,
): Promise<boolean> {
  return (await setSandboxStatus(write, { id, status })) > 0;
}
