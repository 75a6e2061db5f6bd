import type { DbWriteConnection } from '../db/index.js';
import { markSandboxStoppedUnlessRunRunning, terminateActiveRun } from '../generated/index.js';
import type { RunOutcome } from './run-outcome.js';

/**
 * In one transaction, terminates the run with `outcome` and stops the sandbox unless another of its
 * runs is Running (a restart won). Returns false if the run had already ended: that record stays.
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
