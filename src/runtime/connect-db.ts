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
  return DbWriteConnection.attach(dbPath, { connectTimeoutMs, retry: RUNTIME_RETRY });
}

/**
 * A runtime's busy backoff: sleeps of up to 20·2^(n-1) ms, capped at 250 ms (the host keeps 5 and 100).
 * Measured in the database-bound storm (200 runtimes writing at once on 2 cores): each async retry
 * costs a runtime a timer wake-up, a failed BEGIN and a thrown SqliteError, and with the host's
 * schedule those retries took more CPU than the writes they waited for (6575 retries, 3.0 s of runtime
 * CPU against 1.4 s and 1941 retries with this one; 83 against 123 completed boots/s; single runs of
 * `npm run bench:db-storm -- --count 200 --reps 1`, the policy edited between them). A runtime's
 * event loop has nothing urgent to do meanwhile; a blocking busy_timeout was worse still (its fixed
 * sleep schedule lets waiters that started together wake together).
 */
const RUNTIME_RETRY = { baseDelayMs: 20, maxDelayMs: 250 } as const;
