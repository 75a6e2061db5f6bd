import type { DbPools } from '../db/index.js';
import { HostError } from './host-error.js';
import { isRuntimeAlive } from './is-runtime-alive.js';
import { loadActiveRun } from './load-active-run.js';
import { markSandboxStoppedForReplacement } from './mark-sandbox-stopped-for-replacement.js';
import type { SandboxRecord } from './sandbox-record.js';
import { signalRuntime } from './signal-runtime.js';
import { waitForPidExit } from './wait-for-pid-exit.js';

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
