import type { DbWriteConnection } from '../db/index.js';
import { claimSandboxForRun, insertRuntimeRun, selectSandboxById } from '../generated/index.js';
import { RuntimeError } from '../sandbox/errors.js';

/**
 * A claimed run and its sandbox; the config stays unparsed here so a bad one ends as a failed run,
 * not as a sandbox stuck in Running.
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
 * In one transaction: checks the sandbox is still the row the host named (ids are never reused) and
 * still Running with no other Running run, then inserts a Running run with this runtime's pid.
 * Otherwise `SANDBOX_NOT_FOUND` or `SANDBOX_NOT_STARTABLE`, with nothing written.
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
