import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DbPools, DbWriteConnection } from '../db/index.js';
import {
  deleteSandboxIfIdle,
  markSandboxStoppedIfActive,
  selectActiveRun,
  selectRunById,
  selectSandboxByName,
  setSandboxStatus,
  terminateActiveRun,
} from '../generated/index.js';
import { HostError } from '../sandbox/errors.js';
import { sandboxDir } from '../sandbox/paths.js';
import { groupHasOthers, isRuntimeAlive, nextHostTurn, signalRuntime, waitForPidExit } from './processes.js';
import { requireSandbox } from './reconcile.js';
import { assertValidName, isActiveStatus, type RunRecord, type SandboxRecord } from './records.js';

const POLL_MS = 20;
// How long a runtime whose workload already exited gets to record the exit once the stop timeout passed.
const RECORDING_GRACE_MS = 30_000;

function waitingToRecord(pools: DbPools, runtimePid: number): boolean {
  return !groupHasOthers(runtimePid) && pools.write.isLockedElsewhere();
}

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
 * Stops a running sandbox gracefully: SIGTERM to its runtime (which forwards it to the workload, records
 * the run's end and marks the sandbox Stopped), then up to `timeoutMs` (default
 * {@link DEFAULT_STOP_TIMEOUT_MS}) for it to exit; after that SIGKILL to its process group, and the host
 * records the run Terminated/Signal itself. A group that survives SIGKILL for 5 s is `HostError`
 * `STOP_TIMEOUT`; a sandbox not Running or Draining (after reconcile) is `SANDBOX_NOT_RUNNING`. A runtime
 * that is already gone (its pid no longer leads its group, and is never signalled) leaves its run
 * Terminated/InternalError unless it recorded it.
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
  const run = selectActiveRun(pools.read, { sandboxId: record.id });
  if (run === undefined) {
    await markSandboxStoppedIfActive(pools.write, { id: record.id });
    return { run: undefined, forced: false };
  }
  // Not delivered: the pid no longer leads its group, so the runtime is gone (and the pid, if alive,
  // is someone else's); waiting on it could only time out.
  const delivered = signalRuntime(run.pid, 'SIGTERM', 'process');
  const timeoutMs = options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  const deadline = performance.now() + timeoutMs;
  // Past the deadline, a runtime whose workload is gone while another process holds the write lock is
  // only waiting to record the exit: killing it would lose that exit. It waits while the lock stays
  // held, up to RECORDING_GRACE_MS; a runtime that still has not written 2 s after the lock came free
  // is stuck and is killed as before.
  let graceUntil: number | undefined;
  let lockFreeSince: number | undefined;
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
    const now = performance.now();
    if (now >= deadline && waitingToRecord(pools, run.pid)) {
      graceUntil ??= now + RECORDING_GRACE_MS;
      if (now >= graceUntil) {
        throw new HostError(
          'STOP_TIMEOUT',
          `sandbox "${record.name}": its workload exited but runtime pid ${run.pid} could not record it within ${RECORDING_GRACE_MS / 1000} s: another process holds the database's write lock; the runtime keeps trying, run stop again later`,
        );
      }
      lockFreeSince = undefined;
      await sleep(POLL_MS);
      continue;
    }
    if (now >= deadline && graceUntil !== undefined) lockFreeSince ??= now;
    if (now >= deadline && lockFreeSince !== undefined && lockFreeSince + 2_000 > now) {
      // The lock just came free: give the runtime its chance to write before calling it stuck.
      await sleep(POLL_MS);
      continue;
    }
    if (now >= deadline) {
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
 * Kills a running sandbox at once: SIGKILL to its runtime's process group, up to 5 s to confirm the
 * runtime is dead (else `HostError` `KILL_FAILED` and nothing recorded), then in one transaction its run
 * Terminated/Signal and the sandbox Stopped. A runtime already gone leaves its run
 * Terminated/InternalError unless it recorded it.
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
  const run = selectActiveRun(pools.read, { sandboxId: record.id });
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
 * Stops a sandbox about to be replaced: SIGTERM, `timeoutMs` to exit, then SIGKILL to its group (a
 * survivor after 5 s is `STOP_TIMEOUT` and nothing is recorded); then its run Terminated/Signal and the
 * sandbox Stopped. A pid that no longer leads its group is someone else's: never signalled nor awaited.
 */
export async function stopSandboxForReplacement(
  pools: DbPools,
  record: SandboxRecord,
  options: { readonly timeoutMs: number },
): Promise<void> {
  const run = selectActiveRun(pools.read, { sandboxId: record.id });
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

/** In one transaction: the Running run (if any) Terminated/Signal with `signal`, the sandbox Stopped. */
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
 * Removes a sandbox: its row (runs, metrics and image pin go by cascade), then its directory. A Running
 * or Draining one (after reconcile) is `HostError` `SANDBOX_RUNNING`, unless `force`: then it is stopped
 * first ({@link stopSandbox}, `stopTimeoutMs`). The check and the delete are one statement, so a sandbox
 * started meanwhile is never removed. A name with no row but a leftover directory (a removal or replace
 * killed between its delete and its wipe) has the directory removed, and a stopped sandbox whose stored
 * config is damaged is removed all the same; resolves what was removed.
 *
 * @example
 * ```ts
 * await removeSandbox(pools, { home, name: 'web', force: true });
 * ```
 */
export async function removeSandbox(
  pools: DbPools,
  target: {
    readonly home: string;
    readonly name: string;
    readonly force?: boolean;
    readonly stopTimeoutMs?: number;
  },
): Promise<'sandbox' | 'leftover-directory'> {
  const dir = sandboxDir(target.home, target.name);
  let record: SandboxRecord;
  try {
    record = await requireSandbox(pools, target.name);
  } catch (err) {
    if (err instanceof HostError && err.code === 'SANDBOX_CONFIG_INVALID') {
      // A damaged config must not make its row impossible to remove: the delete needs only the id.
      const row = selectSandboxByName(pools.read, { name: target.name });
      if (row === undefined || isActiveStatus(row.status)) throw err;
      if ((await deleteSandboxIfIdle(pools.write, { id: row.id })) === 0) throw err;
      await rm(dir, { recursive: true, force: true });
      return 'sandbox';
    }
    if (!(err instanceof HostError && err.code === 'SANDBOX_NOT_FOUND') || !existsSync(dir)) throw err;
    assertValidName('sandbox', target.name);
    await rm(dir, { recursive: true, force: true });
    return 'leftover-directory';
  }
  if (target.force === true && isActiveStatus(record.status)) {
    try {
      await stopSandbox(pools, {
        name: record.name,
        ...(target.stopTimeoutMs === undefined ? {} : { timeoutMs: target.stopTimeoutMs }),
      });
    } catch (err) {
      // Stopped by someone else meanwhile: the delete below settles it.
      if (!(err instanceof HostError && err.code === 'SANDBOX_NOT_RUNNING')) throw err;
    }
  }
  const deleted = await deleteSandboxIfIdle(pools.write, { id: record.id });
  if (deleted === 0) {
    throw new HostError(
      'SANDBOX_RUNNING',
      `sandbox "${record.name}" is running; stop or kill it before removing it, or pass force`,
    );
  }
  await rm(dir, { recursive: true, force: true });
  return 'sandbox';
}

/**
 * How long a stop waits between SIGTERM and SIGKILL by default: longer than the runtime's own 10 s
 * grace for its workload, so a runtime that has to SIGKILL a stubborn workload still records the run.
 *
 * @example
 * ```ts
 * await stopSandbox(pools, { name, timeoutMs: DEFAULT_STOP_TIMEOUT_MS });
 * ```
 */
export const DEFAULT_STOP_TIMEOUT_MS = 15_000;
