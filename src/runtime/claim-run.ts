import type { DbWriteConnection } from '../db/index.js';
import { claimSandboxForRun, insertRuntimeRun, selectSandboxById } from '../generated/index.js';
import { RuntimeError } from '../sandbox/errors.js';

/**
 * The sandbox a runtime supervises, its config still as stored: it is parsed only after the run row
 * exists, so a bad config ends as a failed run instead of a sandbox stuck in Running.
 *
 * @example
 * ```ts
 * const { runId, sandbox }: ClaimedRun = await claimRun(write, { id: 3, name: 'web', pid: process.pid });
 * ```
 */
export interface ClaimedRun {
  readonly runId: number;
  readonly sandbox: {
    readonly id: number;
    readonly name: string;
    /** The `sandbox.config` JSON; see `parseSandboxConfig`. */
    readonly configJson: string;
  };
}

/**
 * Records, in one transaction, that a runtime now supervises the sandbox the host started it for: loads
 * the sandbox, claims it, and inserts a `run` row with status Running and the runtime's own pid (the pid
 * the host checks for liveness).
 *
 * 1. The row must still carry the name the host passed: ids are never reused (AUTOINCREMENT), so a
 *    missing row or another name means the sandbox was removed or replaced while this runtime started.
 *    Either is a `RuntimeError` `SANDBOX_NOT_FOUND` naming both.
 * 2. The sandbox must still be Running (the state the host leaves it in for a start) and without another
 *    Running run; otherwise a stop, kill or another runtime got there first: `RuntimeError`
 *    `SANDBOX_NOT_STARTABLE`, so the runtime exits without starting its workload.
 * 3. On either refusal nothing is written.
 *
 * @example
 * ```ts
 * const { runId, sandbox } = await claimRun(write, { id: 3, name: 'web', pid: process.pid });
 * ```
 */
export function claimRun(
  write: DbWriteConnection,
  wanted: { readonly id: number; readonly name: string; readonly pid: number },
): Promise<ClaimedRun> {
  return write.transaction((tx) => {
    const row = selectSandboxById(tx, { id: wanted.id });
    if (row === undefined || row.name !== wanted.name) {
      throw new RuntimeError(
        'SANDBOX_NOT_FOUND',
        `sandbox "${wanted.name}" (id ${wanted.id}) does not exist in ${write.path}` +
          (row === undefined ? '' : ` (id ${wanted.id} is "${row.name}")`),
      );
    }
    if (claimSandboxForRun(tx, { id: wanted.id, name: wanted.name }) === 0) {
      throw new RuntimeError(
        'SANDBOX_NOT_STARTABLE',
        `sandbox "${wanted.name}" (id ${wanted.id}) was stopped, removed or taken by another ` +
          'runtime while this one started; not starting its workload',
      );
    }
    const runId = insertRuntimeRun(tx, { sandboxId: wanted.id, pid: wanted.pid });
    return { runId, sandbox: { id: row.id, name: row.name, configJson: row.config } };
  });
}
