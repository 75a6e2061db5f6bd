import { dbPathFor, loadDbConfig, msbHome } from './db-config.js';
import { DbPools } from './db-pools.js';

let global: Promise<DbPools> | undefined;

/**
 * The process-wide `DbPools` for `$MSB_HOME/db/msb.db`, opened on the first call and shared after.
 *
 * 1. Only the `database` section of `$MSB_HOME/config.json` tunes it (`connect_timeout_secs`,
 *    `busy_timeout_secs`, `max_connections`); a bad value rejects with `DbConfigError`.
 * 2. Concurrent first calls share one open; a failed open is forgotten so a later call can try again.
 *
 * @example
 * ```ts
 * const pools = await initGlobal();
 * const sandboxes = selectSandboxes(pools.read);
 * ```
 */
export function initGlobal(): Promise<DbPools> {
  global ??= openGlobal().catch((err: unknown) => {
    global = undefined;
    throw err;
  });
  return global;
}

/**
 * Closes the process-wide pools if they were opened (at exit, or between tests).
 *
 * @example
 * ```ts
 * process.on('beforeExit', () => void closeGlobal());
 * ```
 */
export async function closeGlobal(): Promise<void> {
  const pending = global;
  global = undefined;
  if (pending !== undefined) await (await pending).close();
}

async function openGlobal(): Promise<DbPools> {
  const home = msbHome();
  const config = loadDbConfig(home);
  return DbPools.open(dbPathFor(home), {
    connectTimeoutMs: config.connectTimeoutSecs * 1000,
    busyTimeoutMs: config.busyTimeoutSecs * 1000,
    readPoolSize: config.maxConnections,
  });
}
