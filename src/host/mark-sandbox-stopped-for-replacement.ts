import type { DbWriteConnection } from '../db/index.js';
import { setSandboxStatus, terminateActiveRun } from '../generated/index.js';

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
