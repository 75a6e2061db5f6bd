import Database from 'better-sqlite3';

/**
 * Implemented by application errors that may be thrown from a transaction body and should be retried
 * like a busy database (for example an error that wraps a `SQLITE_BUSY` raised deeper down).
 *
 * @example
 * ```ts
 * class HostError extends Error implements IsSqliteBusy {
 *   isSqliteBusy(): boolean {
 *     return isSqliteBusy(this.cause);
 *   }
 * }
 * ```
 */
export interface IsSqliteBusy {
  isSqliteBusy(): boolean;
}

const { SqliteError } = Database;

/**
 * Tells whether an error means "the database was busy, try again later".
 *
 * 1. A `SqliteError` whose code starts with `SQLITE_BUSY` (`SQLITE_BUSY`, `SQLITE_BUSY_SNAPSHOT`,
 *    `SQLITE_BUSY_RECOVERY`, `SQLITE_BUSY_TIMEOUT`) is busy.
 * 2. An object implementing {@link IsSqliteBusy} is busy when its method says so.
 * 3. Otherwise the `cause` chain is followed (cycles are cut).
 *
 * `SQLITE_LOCKED` (a conflict inside one connection) and `SQLITE_READONLY` are never busy: waiting
 * does not cure them.
 *
 * @example
 * ```ts
 * try {
 *   stmt.run();
 * } catch (err) {
 *   if (!isSqliteBusy(err)) throw err;
 *   // back off and retry
 * }
 * ```
 */
export function isSqliteBusy(err: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    if (isSqliteError(current)) {
      if (current.code.startsWith('SQLITE_BUSY')) return true;
    } else if (implementsIsSqliteBusy(current) && current.isSqliteBusy()) {
      return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function isSqliteError(value: object): value is InstanceType<typeof SqliteError> {
  // The name check covers errors that crossed a worker boundary or came from a second copy of the
  // driver, where `instanceof` is false.
  return (
    value instanceof SqliteError ||
    ((value as { name?: unknown }).name === 'SqliteError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}

function implementsIsSqliteBusy(value: object): value is IsSqliteBusy {
  return typeof (value as Partial<IsSqliteBusy>).isSqliteBusy === 'function';
}
