import type { DbWriteConnection } from '../db/index.js';
import { insertRuntimeRun, markRuntimeSandboxRunning } from '../generated/index.js';

/**
 * Records that a runtime now supervises its sandbox: a `run` row with status Running and the runtime's
 * own pid (the pid the host checks for liveness), and the sandbox marked Running, in one transaction.
 *
 * @example
 * ```ts
 * const runId = await insertRun(write, { sandboxId: sandbox.id, pid: process.pid });
 * ```
 */
export function insertRun(
  write: DbWriteConnection,
  params: { readonly sandboxId: number; readonly pid: number },
): Promise<number> {
  return write.transaction((tx) => {
    const runId = insertRuntimeRun(tx, { sandboxId: params.sandboxId, pid: params.pid });
    markRuntimeSandboxRunning(tx, { id: params.sandboxId });
    return runId;
  });
}
