import type { DbWriteConnection } from '../db/index.js';
import { markSandboxCrashedIfActive, terminateActiveRun } from '../generated/index.js';

/**
 * What {@link markSandboxRuntimeStale} changed.
 *
 * @example
 * ```ts
 * const { sandboxCrashed }: StaleMarking = await markSandboxRuntimeStale(pools.write, target);
 * ```
 */
export interface StaleMarking {
  /** The run was still Running and is now Terminated/InternalError. */
  readonly runTerminated: boolean;
  /** The sandbox was Running or Draining and is now Crashed. */
  readonly sandboxCrashed: boolean;
}

/**
 * Records that a sandbox's runtime died without recording its own end, in one transaction:
 *
 * 1. the run, if still Running, becomes Terminated with reason InternalError, `terminated_at` now and
 *    the given detail;
 * 2. only if that happened, the sandbox becomes Crashed, and only while Running or Draining and with no
 *    other Running run (a Stopped row stays Stopped; a restart that raced this discovery is kept).
 *
 * @example
 * ```ts
 * await markSandboxRuntimeStale(pools.write, { sandboxId: 1, runId: 7, detail: 'runtime pid 42 is dead' });
 * ```
 */
export function markSandboxRuntimeStale(
  write: DbWriteConnection,
  target: { readonly sandboxId: number; readonly runId: number; readonly detail: string },
): Promise<StaleMarking> {
  return write.transaction((tx) => {
    const runs = terminateActiveRun(tx, {
      id: target.runId,
      terminationReason: 'InternalError',
      terminationDetail: target.detail,
      exitCode: null,
      exitSignal: null,
    });
    // A run its runtime already ended was not stale after all: that runtime set its sandbox's status.
    const sandboxes =
      runs > 0 ? markSandboxCrashedIfActive(tx, { id: target.sandboxId, staleRunId: target.runId }) : 0;
    return { runTerminated: runs > 0, sandboxCrashed: sandboxes > 0 };
  });
}
