import type { DbWriteConnection } from '../db/index.js';
import { recordRunExit } from './record-run-exit.js';

/**
 * Records a workload that could not start: the run Terminated/Failed with `detail` and no exit code,
 * the sandbox Stopped.
 */
export async function markRunFailed(
  write: DbWriteConnection,
  params: { readonly runId: number; readonly sandboxId: number; readonly detail: string },
): Promise<void> {
  await recordRunExit(write, {
    runId: params.runId,
    sandboxId: params.sandboxId,
    outcome: { reason: 'Failed', exitCode: null, exitSignal: null, detail: params.detail },
  });
}
