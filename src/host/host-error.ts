import { CodedError } from '../runtime/coded-error.js';

/**
 * What went wrong in a host operation, for scripts and exit codes. Add a code here when a new failure
 * needs its own handling; never reuse one for a different meaning.
 *
 * @example
 * ```ts
 * if (err instanceof HostError && err.code === 'SANDBOX_NOT_FOUND') process.exitCode = 3;
 * ```
 */
export type HostErrorCode =
  | 'SANDBOX_NOT_FOUND'
  | 'SANDBOX_EXISTS'
  | 'SANDBOX_RUNNING'
  | 'SANDBOX_NOT_RUNNING'
  | 'SANDBOX_DIR_EXISTS'
  | 'IMAGE_NOT_FOUND'
  | 'IMAGE_INVALID'
  | 'IMAGE_IN_USE'
  | 'VOLUME_EXISTS'
  | 'VOLUME_NOT_FOUND'
  | 'RUNTIME_START_FAILED'
  | 'STOP_TIMEOUT'
  | 'KILL_FAILED'
  | 'SANDBOX_CONFIG_INVALID'
  | 'VOLUME_LABELS_INVALID'
  | 'INVALID_ARGUMENT';

/**
 * A host operation that cannot proceed. The message names the sandbox, image, volume or file at fault.
 *
 * Like every {@link CodedError} it implements `IsSqliteBusy`, so a transaction body may throw it around
 * a busy `SqliteError` (as `cause`) and still be retried.
 *
 * @example
 * ```ts
 * throw new HostError('SANDBOX_NOT_FOUND', `sandbox "${name}" does not exist`);
 * ```
 */
export class HostError extends CodedError<HostErrorCode> {
  override readonly name = 'HostError';
}
