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
