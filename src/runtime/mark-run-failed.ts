import type { DbWriteConnection } from '../db/index.js';
import { recordRunExit } from './record-run-exit.js';

/**
 * Records that a run's workload could not start: the run Terminated/Failed with the reason in
 * `termination_detail` (no exit code: nothing ran), the sandbox Stopped.
 *
 * @example
 * ```ts
 * await markRunFailed(write, { runId, sandboxId, detail: 'cannot start "nope": spawn nope ENOENT' });
 * ```
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
