import type { DbWriteConnection } from '../db/index.js';
import { markSandboxStoppedUnlessRunRunning, terminateActiveRun } from '../generated/index.js';
import type { RunOutcome } from './run-outcome.js';

/**
 * Records the end of a run and stops its sandbox, in one transaction.
 *
 * 1. The run becomes Terminated with the outcome's reason, exit code, signal and detail, and
 *    `terminated_at`; a run the host already terminated keeps the host's record.
 * 2. The sandbox becomes Stopped, unless another run of it is Running (a restart won the race).
 * 3. Returns whether the run row was still Running (false: someone else recorded its end first).
 *
 * @example
 * ```ts
 * await recordRunExit(write, { runId, sandboxId, outcome: workloadOutcome(code, signal, null) });
 * ```
 */
export function recordRunExit(
  write: DbWriteConnection,
  params: { readonly runId: number; readonly sandboxId: number; readonly outcome: RunOutcome },
): Promise<boolean> {
  const { runId, sandboxId, outcome } = params;
  return write.transaction((tx) => {
    const changed = terminateActiveRun(tx, {
      id: runId,
      terminationReason: outcome.reason,
      terminationDetail: outcome.detail,
      exitCode: outcome.exitCode,
      exitSignal: outcome.exitSignal,
    });
    markSandboxStoppedUnlessRunRunning(tx, { id: sandboxId });
    return changed === 1;
  });
}
