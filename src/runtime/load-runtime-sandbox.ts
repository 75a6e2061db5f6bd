import type { DbWriteConnection } from '../db/index.js';
import { selectRuntimeSandbox } from '../generated/index.js';
import { RuntimeError } from './runtime-error.js';

/**
 * The sandbox a runtime supervises, its config still as stored: it is parsed only after the run row
 * exists, so a bad config ends as a failed run instead of a sandbox stuck in Running.
 *
 * @example
 * ```ts
 * const sandbox: RuntimeSandbox = await loadRuntimeSandbox(write, 'web');
 * ```
 */
export interface RuntimeSandbox {
  readonly id: number;
  readonly name: string;
  /** The `sandbox.config` JSON; see `parseSandboxConfig`. */
  readonly configJson: string;
}

/**
 * Loads a sandbox by name through the runtime's writer (a runtime has no read connection; the `:read`
 * query runs inside a short transaction). A missing sandbox is a `RuntimeError` `SANDBOX_NOT_FOUND`
 * naming it and the database.
 *
 * @example
 * ```ts
 * const { id, configJson } = await loadRuntimeSandbox(write, 'web');
 * ```
 */
export async function loadRuntimeSandbox(write: DbWriteConnection, name: string): Promise<RuntimeSandbox> {
  const row = await write.transaction((tx) => selectRuntimeSandbox(tx, { name }));
  if (row === undefined) {
    throw new RuntimeError('SANDBOX_NOT_FOUND', `sandbox "${name}" does not exist in ${write.path}`);
  }
  return { id: row.id, name: row.name, configJson: row.config };
}
