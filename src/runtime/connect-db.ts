import { DbWriteConnection, loadDbConfig } from '../db/index.js';

/**
 * Options of {@link connectDb}.
 *
 * @example
 * ```ts
 * const options: ConnectDbOptions = { home: '/home/me/.microsandbox', connectTimeoutMs: 2_000 };
 * ```
 */
export interface ConnectDbOptions {
  /** The msb home the host passed (`--home`): its `config.json` tunes the database. */
  readonly home: string;
  /**
   * How long to wait for the database to exist and be migrated. Default: `connect_timeout_secs` of the
   * `config.json` in `home`.
   */
  readonly connectTimeoutMs?: number;
}

/**
 * Opens the runtime's own writer on the host's database (`DbWriteConnection.attach`).
 *
 * 1. Waits (asynchronously) up to the connect timeout for the file to exist and carry the code's schema
 *    version: a runtime never creates or migrates a database the host has not set up, nor reads the
 *    schema files (only their names give the version it expects).
 * 2. Fails with the `DbOpenError` (`DB_NOT_FOUND`, `DB_CONNECT_TIMEOUT`, `DB_SCHEMA_TOO_NEW`) or the
 *    `DbConfigError` of a bad `config.json`, unwrapped.
 *
 * @example
 * ```ts
 * const write = await connectDb('/home/me/.microsandbox/db/msb.db', { home: '/home/me/.microsandbox' });
 * ```
 */
export function connectDb(dbPath: string, options: ConnectDbOptions): Promise<DbWriteConnection> {
  const connectTimeoutMs = options.connectTimeoutMs ?? loadDbConfig(options.home).connectTimeoutSecs * 1000;
  return DbWriteConnection.attach(dbPath, { connectTimeoutMs });
}
