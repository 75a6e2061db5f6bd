import { setTimeout as sleep } from 'node:timers/promises';
import type { DbPools } from '../db/index.js';
import { markSandboxStoppedIfActive, selectRunById, terminateActiveRun } from '../generated/index.js';
import { DEFAULT_STOP_TIMEOUT_MS } from './default-stop-timeout.js';
import { HostError } from './host-error.js';
import { isRuntimeAlive } from './is-runtime-alive.js';
import { loadActiveRun } from './load-active-run.js';
import { nextHostTurn } from './next-host-turn.js';
import { requireSandbox } from './require-sandbox.js';
import type { RunRecord } from './run-record.js';
import { isActiveStatus } from './sandbox-record.js';
import { signalRuntime } from './signal-runtime.js';
import { waitForPidExit } from './wait-for-pid-exit.js';

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
