import { DbWriteConnection, loadDbConfig } from '../db/index.js';

/** Options of {@link connectDb}. */
export interface ConnectDbOptions {
  /** The msb home (`--home`); its `config.json` tunes the database. */
  readonly home: string;
  /** Default: `connect_timeout_secs` of `home`'s `config.json`. */
  readonly connectTimeoutMs?: number;
}

/**
 * Attaches the runtime's writer to the host's database, waiting up to the connect timeout for it to
 * exist at the expected schema version; never creates or migrates it. Open and config errors pass through.
 */
export function connectDb(dbPath: string, options: ConnectDbOptions): Promise<DbWriteConnection> {
  const connectTimeoutMs = options.connectTimeoutMs ?? loadDbConfig(options.home).connectTimeoutSecs * 1000;
  return DbWriteConnection.attach(dbPath, { connectTimeoutMs, retry: RUNTIME_RETRY });
}

/**
 * Busy backoff of up to 20·2^(n-1) ms, capped at 250 (the host keeps 5 and 100). Measured with
 * `npm run bench:db-storm -- --count 200 --reps 1` (2 cores): with the host's schedule, retries cost more
 * CPU than the writes they waited for (6575 retries, 3.0 s runtime CPU, 83 boots/s; this: 1941, 1.4 s, 123).
 * A blocking busy_timeout was worse: its fixed schedule wakes waiters that started together, together.
 */
const RUNTIME_RETRY = { baseDelayMs: 20, maxDelayMs: 250 } as const;
