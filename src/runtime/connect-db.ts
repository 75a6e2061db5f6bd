import { DbReadConnection, DbWriteConnection, loadDbConfig } from '../db/index.js';

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
 * Opens the runtime's own writer on the host's database.
 *
 * 1. Waits (asynchronously) up to the connect timeout for the file to exist and carry the code's schema,
 *    through a read-only probe: a runtime must never create or migrate a database the host has not set
 *    up, which `DbWriteConnection.open` alone would do.
 * 2. Then opens the `DbWriteConnection` with what remains of the timeout for its busy retries.
 * 3. Fails with the `DbOpenError` (`DB_NOT_FOUND`, `DB_CONNECT_TIMEOUT`, `DB_SCHEMA_TOO_NEW`) or the
 *    `DbConfigError` of a bad `config.json`, unwrapped.
 *
 * @example
 * ```ts
 * const write = await connectDb('/home/me/.microsandbox/db/msb.db', { home: '/home/me/.microsandbox' });
 * ```
 */
export async function connectDb(dbPath: string, options: ConnectDbOptions): Promise<DbWriteConnection> {
  const timeoutMs = options.connectTimeoutMs ?? loadDbConfig(options.home).connectTimeoutSecs * 1000;
  const started = performance.now();
  const probe = await DbReadConnection.open(dbPath, { connectTimeoutMs: timeoutMs });
  probe.close();
  const remaining = Math.max(0, timeoutMs - (performance.now() - started));
  return DbWriteConnection.open(dbPath, { connectTimeoutMs: remaining });
}
