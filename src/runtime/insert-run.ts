import type { DbWriteConnection } from '../db/index.js';
import { claimSandboxForRun, insertRuntimeRun } from '../generated/index.js';
import { RuntimeError } from './runtime-error.js';

/**
 * Records that a runtime now supervises its sandbox: a `run` row with status Running and the runtime's
 * own pid (the pid the host checks for liveness), in one transaction with the claim of the sandbox.
 *
 * 1. The sandbox must be the one the host started the runtime for (same id and name), still Running (the
 *    state the host leaves it in for a start), and without another Running run.
 * 2. Otherwise a stop, kill, remove or replace (or another runtime) got there first: nothing is written
 *    and the result is a `RuntimeError` `SANDBOX_NOT_STARTABLE`, so the runtime exits without starting
 *    its workload instead of overriding the host's decision.
 *
 * @example
 * ```ts
 * const runId = await insertRun(write, { sandboxId: sandbox.id, sandboxName: sandbox.name, pid: process.pid });
 * ```
 */
export function insertRun(
  write: DbWriteConnection,
  params: { readonly sandboxId: number; readonly sandboxName: string; readonly pid: number },
): Promise<number> {
  return write.transaction((tx) => {
    if (claimSandboxForRun(tx, { id: params.sandboxId, name: params.sandboxName }) === 0) {
      throw new RuntimeError(
        'SANDBOX_NOT_STARTABLE',
        `sandbox "${params.sandboxName}" (id ${params.sandboxId}) was stopped, removed or taken by another ` +
          'runtime while this one started; not starting its workload',
      );
    }
    return insertRuntimeRun(tx, { sandboxId: params.sandboxId, pid: params.pid });
  });
}
