import type { DbPools } from '../db/index.js';
import { markSandboxStoppedIfActive, selectRunById, terminateActiveRun } from '../generated/index.js';
import { HostError } from './host-error.js';
import { loadActiveRun } from './load-active-run.js';
import { nextHostTurn } from './next-host-turn.js';
import { requireSandbox } from './require-sandbox.js';
import type { RunRecord } from './run-record.js';
import { isActiveStatus } from './sandbox-record.js';
import { signalRuntime } from './signal-runtime.js';
import { waitForPidExit } from './wait-for-pid-exit.js';

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
