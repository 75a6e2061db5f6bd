import { type IsSqliteBusy, isSqliteBusy } from '../db/is-sqlite-busy.js';

/**
 * The body shared by the project's own error classes (`HostError`, `RuntimeError`): a message naming
 * what is at fault and a machine-readable `code` from the subclass's closed set.
 *
 * 1. `code` is typed by the subclass, so a switch over it is checked for exhaustiveness.
 * 2. It implements `IsSqliteBusy` through its `cause`: a transaction body may throw it around a busy
 *    `SqliteError` and the transaction is still retried; any other cause makes it final.
 *
 * It lives beside the runtime because the host already shares the runtime's protocol types; `src/db`
 * stays free of application errors.
 *
 * @example
 * ```ts
 * export class VolumeError extends CodedError<'VOLUME_FULL'> {
 *   override readonly name = 'VolumeError';
 * }
 * throw new VolumeError('VOLUME_FULL', 'volume "cache" is full', { cause: err });
 * ```
 */
export abstract class CodedError<Code extends string> extends Error implements IsSqliteBusy {
  readonly code: Code;

  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }

  isSqliteBusy(): boolean {
    return isSqliteBusy(this.cause);
  }
}

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
  | 'EXIT_UNRECORDED'
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
