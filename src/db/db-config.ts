import { lstatSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DbConfigError } from './db-config-error.js';

/**
 * The `database` section of `$MSB_HOME/config.json`, in its TypeScript spelling.
 *
 * @example
 * ```ts
 * const config: DbConfig = { ...DEFAULT_DB_CONFIG, busyTimeoutSecs: 1 };
 * ```
 */
export interface DbConfig {
  /** `max_connections`: worker threads of the read pool, each with a read-only connection (1 to 64). */
  readonly maxConnections: number;
  /** `connect_timeout_secs`: how long opening waits for the file to exist and be migrated. */
  readonly connectTimeoutSecs: number;
  /** `busy_timeout_secs`: SQLite `busy_timeout` of read connections and of blocking paths. */
  readonly busyTimeoutSecs: number;
}

/**
 * The defaults (see the README's configuration section).
 *
 * @example
 * ```ts
 * DEFAULT_DB_CONFIG.maxConnections; // 5
 * ```
 */
export const DEFAULT_DB_CONFIG: DbConfig = Object.freeze({
  maxConnections: 5,
  connectTimeoutSecs: 30,
  busyTimeoutSecs: 5,
});

const KEYS = {
  max_connections: 'maxConnections',
  connect_timeout_secs: 'connectTimeoutSecs',
  busy_timeout_secs: 'busyTimeoutSecs',
} as const satisfies Record<string, keyof DbConfig>;

/**
 * Keys of the `database` section that upstream microsandbox defines (its `DatabaseConfig`) and msb
 * does not use: accepted when well-typed, then ignored, so a home shared with it works. `url` selects
 * upstream's database; msb's is always `<home>/db/msb.db` and has a schema of its own.
 */
const UPSTREAM_DATABASE_KEYS: ReadonlySet<string> = new Set(['url']);

/** Upper bound of the timeouts, in seconds (one day): `busy_timeout` must fit SQLite's 32-bit int. */
const MAX_TIMEOUT_SECS = 86_400;

/**
 * The msb home directory: `$MSB_HOME`, or `~/.microsandbox` when unset or empty.
 *
 * @example
 * ```ts
 * const dbPath = join(msbHome(), 'db', 'msb.db');
 * ```
 */
export function msbHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.MSB_HOME;
  return home !== undefined && home !== '' ? home : join(homedir(), '.microsandbox');
}

/**
 * The path of the shared database under an msb home: `<home>/db/msb.db`.
 *
 * @example
 * ```ts
 * const pools = await DbPools.open(dbPathFor(msbHome()));
 * ```
 */
export function dbPathFor(home: string): string {
  return join(home, 'db', 'msb.db');
}

/**
 * Reads the `database` section of `<home>/config.json`.
 *
 * 1. A missing file or a file without a `database` section gives the defaults; a leading UTF-8
 *    byte-order mark is skipped. An empty file or a dangling symlink is refused, not taken as missing.
 * 2. Other top-level sections are left to their owners (upstream microsandbox writes `home`, `paths`,
 *    `sandbox_defaults`, … into the same file), except a near miss of `database` (`databse`,
 *    `Database`), which is refused as a typo: msb would otherwise run on its defaults unnoticed.
 * 3. Bad JSON, a non-object section, an unknown key or a bad value throws a `DbConfigError` naming the
 *    file and the key.
 *
 * @example
 * ```ts
 * // config.json: { "database": { "max_connections": 8 } }
 * loadDbConfig(home).maxConnections; // 8
 * ```
 */
export function loadDbConfig(home: string): DbConfig {
  const file = join(home, 'config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    // A dangling symlink is a config the user meant to have, not a missing one.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !isSymlink(file)) return DEFAULT_DB_CONFIG;
    throw new DbConfigError(file, undefined, `cannot read: ${(err as Error).message}`, { cause: err });
  }
  if (text.trim() === '') throw new DbConfigError(file, undefined, 'is empty (write {} for the defaults)');
  let root: unknown;
  try {
    root = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (err) {
    throw new DbConfigError(file, undefined, `not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isPlainObject(root)) {
    throw new DbConfigError(file, undefined, `must hold a JSON object, got ${describe(root)}`);
  }
  for (const key of Object.keys(root)) {
    if (key !== 'database' && isNearMiss(key, 'database')) {
      throw new DbConfigError(file, key, 'unknown key: did you mean "database"?');
    }
  }
  return parseDbSection(root.database, file);
}

/**
 * Validates a `database` section (snake_case keys) and returns the config it describes.
 *
 * @example
 * ```ts
 * parseDbSection({ busy_timeout_secs: 1 }, 'inline').busyTimeoutSecs; // 1
 * ```
 */
export function parseDbSection(section: unknown, file: string): DbConfig {
  if (section === undefined) return DEFAULT_DB_CONFIG;
  if (!isPlainObject(section))
    throw new DbConfigError(file, 'database', `must be an object, got ${describe(section)}`);
  const config: { -readonly [K in keyof DbConfig]: DbConfig[K] } = { ...DEFAULT_DB_CONFIG };
  for (const [key, value] of Object.entries(section)) {
    const name = `database.${key}`;
    if (UPSTREAM_DATABASE_KEYS.has(key)) {
      if (value !== null && typeof value !== 'string') {
        throw new DbConfigError(file, name, `must be a string or null, got ${describe(value)}`);
      }
      continue;
    }
    if (!Object.hasOwn(KEYS, key)) {
      throw new DbConfigError(
        file,
        name,
        `unknown key (valid keys: ${[...Object.keys(KEYS), ...UPSTREAM_DATABASE_KEYS].join(', ')})`,
      );
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new DbConfigError(file, name, `must be a number, got ${describe(value)}`);
    }
    if (key === 'max_connections') {
      if (!Number.isInteger(value) || value < 1 || value > 64) {
        throw new DbConfigError(file, name, `must be a whole number from 1 to 64, got ${value}`);
      }
    } else if (value < 0 || value > MAX_TIMEOUT_SECS) {
      throw new DbConfigError(file, name, `must be from 0 to ${MAX_TIMEOUT_SECS} seconds, got ${value}`);
    }
    config[KEYS[key as keyof typeof KEYS]] = value;
  }
  return Object.freeze(config);
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  // String(): JSON.stringify shows an overflowing number (1e999 parses to Infinity) as "null".
  return typeof value === 'string'
    ? `the string ${JSON.stringify(value)}`
    : `${typeof value} ${String(value)}`;
}

/** Whether `key` is `target` mistyped: the same but for case, or at most two edits away. */
function isNearMiss(key: string, target: string): boolean {
  const a = key.toLowerCase();
  if (Math.abs(a.length - target.length) > 2) return false;
  let previous = Array.from({ length: target.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= target.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === target[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return (previous[target.length] ?? 0) <= 2;
}
