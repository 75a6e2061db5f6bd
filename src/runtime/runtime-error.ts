import { CodedError } from './coded-error.js';

/**
 * What went wrong in a runtime process, for the `failed` report and the runtime log. Add a code when a
 * new failure needs its own handling; never reuse one for a different meaning.
 *
 * @example
 * ```ts
 * if (err instanceof RuntimeError && err.code === 'WORKLOAD_START_FAILED') await markRunFailed(write, params);
 * ```
 */
export type RuntimeErrorCode =
  | 'INVALID_ARGUMENT'
  | 'SANDBOX_NOT_FOUND'
  | 'SANDBOX_NOT_STARTABLE'
  | 'SANDBOX_CONFIG_INVALID'
  | 'WORKLOAD_START_FAILED';

/**
 * A runtime that cannot proceed. The message names the sandbox, argument or command at fault.
 *
 * Like every {@link CodedError} it implements `IsSqliteBusy`, so a transaction body may throw it around
 * a busy `SqliteError` (as `cause`) and still be retried.
 *
 * @example
 * ```ts
 * throw new RuntimeError('SANDBOX_NOT_FOUND', `sandbox "${name}" does not exist in ${dbPath}`);
 * ```
 */
export class RuntimeError extends CodedError<RuntimeErrorCode> {
  override readonly name = 'RuntimeError';
}
