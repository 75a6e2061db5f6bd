/**
 * Why a database could not be opened:
 * - `DB_NOT_FOUND`: a read-only open found no file (read connections never create one);
 * - `DB_CONNECT_TIMEOUT`: the file did not reach the code's schema version within `connectTimeoutMs`;
 * - `DB_SCHEMA_TOO_NEW`: the database was migrated by newer code than this one;
 * - `DB_MIGRATION_INVALID`: a migration file is misnamed, duplicated, or was changed after it was applied;
 * - `DB_FOREIGN`: the file holds another program's tables and no migration ledger, so msb will not
 *   migrate it.
 */
export type DbOpenErrorCode =
  | 'DB_NOT_FOUND'
  | 'DB_CONNECT_TIMEOUT'
  | 'DB_SCHEMA_TOO_NEW'
  | 'DB_MIGRATION_INVALID'
  | 'DB_FOREIGN';

/**
 * A database file that cannot be used as it is. The message names the file.
 *
 * @example
 * ```ts
 * try {
 *   await DbReadConnection.open(path, { connectTimeoutMs: 0 });
 * } catch (err) {
 *   if (err instanceof DbOpenError && err.code === 'DB_NOT_FOUND') console.error(err.message);
 * }
 * ```
 */
export class DbOpenError extends Error {
  override readonly name = 'DbOpenError';
  readonly code: DbOpenErrorCode;
  /** The database or migration file at fault. */
  readonly path: string;

  constructor(code: DbOpenErrorCode, path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.path = path;
  }
}
