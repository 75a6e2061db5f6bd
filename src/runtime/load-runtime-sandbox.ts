import type { DbWriteConnection } from '../db/index.js';
import { selectSandboxById } from '../generated/index.js';
import { RuntimeError } from './runtime-error.js';

/**
 * The sandbox a runtime supervises, its config still as stored: it is parsed only after the run row
 * exists, so a bad config ends as a failed run instead of a sandbox stuck in Running.
 *
 * @example
 * ```ts
 * const sandbox: RuntimeSandbox = await loadRuntimeSandbox(write, { id: 3, name: 'web' });
 * ```
 */
export interface RuntimeSandbox {
  readonly id: number;
  readonly name: string;
  /** The `sandbox.config` JSON; see `parseSandboxConfig`. */
  readonly configJson: string;
}

/**
 * Loads the sandbox the host started this runtime for, by id, through the runtime's writer (a runtime
 * has no read connection; the `:read` query runs inside a short transaction).
 *
 * The row must still carry the name the host passed: ids are never reused (AUTOINCREMENT), so a missing
 * row or another name means the sandbox was removed or replaced while this runtime started, and it must
 * not touch whatever has that name now. Either is a `RuntimeError` `SANDBOX_NOT_FOUND` naming both.
 *
 * @example
 * ```ts
 * const { id, configJson } = await loadRuntimeSandbox(write, { id: 3, name: 'web' });
 * ```
 */
export async function loadRuntimeSandbox(
  write: DbWriteConnection,
  wanted: { readonly id: number; readonly name: string },
): Promise<RuntimeSandbox> {
  const row = await write.transaction((tx) => selectSandboxById(tx, { id: wanted.id }));
  if (row === undefined || row.name !== wanted.name) {
    throw new RuntimeError(
      'SANDBOX_NOT_FOUND',
      `sandbox "${wanted.name}" (id ${wanted.id}) does not exist in ${write.path}` +
        (row === undefined ? '' : ` (id ${wanted.id} is "${row.name}")`),
    );
  }
  return { id: row.id, name: row.name, configJson: row.config };
}
