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
  return DbWriteConnection.attach(dbPath, {
    connectTimeoutMs,
    retry: RUNTIME_RETRY,
    blockingWaitMs: RUNTIME_BLOCKING_WAIT_MS,
    ...(BUNDLED_SCHEMA_VERSION === undefined ? {} : { schemaVersion: BUNDLED_SCHEMA_VERSION }),
  });
}

/**
 * Replaced by `scripts/bundle-runtime.mjs` with the newest version among `schema/`'s migrations when
 * it bundles the runtime: the version its queries were generated for. So a runtime lists no schema
 * directory as it starts, and a bundle left behind by a newer schema refuses the database
 * (`DB_SCHEMA_TOO_NEW`) instead of running old SQL against it. Unbundled (tests under tsx), the
 * identifier is undeclared and `attach` lists `schema/` itself.
 */
declare const MSB_BUNDLED_SCHEMA_VERSION: number | undefined;
const BUNDLED_SCHEMA_VERSION =
  typeof MSB_BUNDLED_SCHEMA_VERSION === 'number' ? MSB_BUNDLED_SCHEMA_VERSION : undefined;

/**
 * Busy backoff of up to 20·2^(n-1) ms, capped at 250 (the host keeps 5 and 100), after each blocking wait.
 */
const RUNTIME_RETRY = { baseDelayMs: 20, maxDelayMs: 250 } as const;

/**
 * How long the runtime waits for the write lock inside SQLite before its JavaScript backoff takes over:
 * a runtime's loop has little else to do, and a lock polled in C costs microseconds where a poll from
 * JavaScript cost the 200 runtimes of `npm run bench:db-storm -- --count 200 --reps 3` twice the naive
 * port's CPU (1711 against 861 ms after the barrier, 2091 busy retries) on a quiet 2-core machine. With
 * this wait they used 935 ms (41 retries) and completed 0.90× the naive port's boots per second,
 * against 0.65× without it, in the runs that chose it (the README has the latest recording). A longer
 * wait (5000 ms, the naive port's) did worse, 0.64–0.69×: SQLite's own schedule sleeps up to 100 ms
 * between polls once a wait grows long, and the backoff starts it over.
 * The price is a runtime that may not answer a signal for up to this long while the database is busy
 * (twice that when a record that ran out of budget is retried at once, as the exit record is).
 */
const RUNTIME_BLOCKING_WAIT_MS = 1000;
