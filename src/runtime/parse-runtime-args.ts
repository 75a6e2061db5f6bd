import { parseArgs } from 'node:util';
import { RuntimeError } from './runtime-error.js';

/**
 * The command line of a runtime process.
 *
 * @example
 * ```ts
 * const args: RuntimeArgs = { dbPath: '/home/me/.microsandbox/db/msb.db', sandboxName: 'web' };
 * ```
 */
export interface RuntimeArgs {
  readonly dbPath: string;
  readonly sandboxName: string;
  /** Overrides `connect_timeout_secs` of the msb home's config. */
  readonly connectTimeoutMs?: number;
  /** How long a stopped workload gets between the forwarded signal and SIGKILL (default 10 000). */
  readonly stopGraceMs?: number;
}

/**
 * Parses `--db <path> --sandbox <name> [--connect-timeout-ms <n>] [--stop-grace-ms <n>]`.
 *
 * A missing, unknown or malformed argument is a `RuntimeError` `INVALID_ARGUMENT` naming it.
 *
 * @example
 * ```ts
 * parseRuntimeArgs(['--db', '/tmp/msb.db', '--sandbox', 'web']).sandboxName; // 'web'
 * ```
 */
export function parseRuntimeArgs(argv: readonly string[]): RuntimeArgs {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        db: { type: 'string' },
        sandbox: { type: 'string' },
        'connect-timeout-ms': { type: 'string' },
        'stop-grace-ms': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new RuntimeError('INVALID_ARGUMENT', `runtime arguments: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const dbPath = values.db;
  const sandboxName = values.sandbox;
  if (dbPath === undefined || dbPath === '') {
    throw new RuntimeError('INVALID_ARGUMENT', 'runtime arguments: --db <path> is required');
  }
  if (sandboxName === undefined || sandboxName === '') {
    throw new RuntimeError('INVALID_ARGUMENT', 'runtime arguments: --sandbox <name> is required');
  }
  const connectTimeoutMs = milliseconds(values['connect-timeout-ms'], '--connect-timeout-ms');
  const stopGraceMs = milliseconds(values['stop-grace-ms'], '--stop-grace-ms');
  return {
    dbPath,
    sandboxName,
    ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
    ...(stopGraceMs === undefined ? {} : { stopGraceMs }),
  };
}

function milliseconds(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 0) {
    throw new RuntimeError(
      'INVALID_ARGUMENT',
      `runtime arguments: ${flag} must be a whole number of milliseconds >= 0, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}
