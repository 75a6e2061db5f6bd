import { parseArgs } from 'node:util';
import { RuntimeError } from '../sandbox/errors.js';

/** The command line of a runtime process. */
export interface RuntimeArgs {
  readonly dbPath: string;
  /** The msb home: its `config.json` and the sandbox directories (`sandboxDir`). */
  readonly home: string;
  readonly sandboxName: string;
  /** The row the host started this runtime for; the name must still match it. */
  readonly sandboxId: number;
  /** Overrides `connect_timeout_secs` of the msb home's config. */
  readonly connectTimeoutMs?: number;
  /** How long a stopped workload gets between the forwarded signal and SIGKILL (default 10 000). */
  readonly stopGraceMs?: number;
}

/**
 * Parses `--db <path> --home <dir> --sandbox <name> --sandbox-id <id> [--connect-timeout-ms <n>]
 * [--stop-grace-ms <n>]`; a missing, unknown or malformed argument is `INVALID_ARGUMENT`.
 */
export function parseRuntimeArgs(argv: readonly string[]): RuntimeArgs {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        db: { type: 'string' },
        home: { type: 'string' },
        sandbox: { type: 'string' },
        'sandbox-id': { type: 'string' },
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
  const dbPath = required(values.db, '--db <path>');
  const home = required(values.home, '--home <dir>');
  const sandboxName = required(values.sandbox, '--sandbox <name>');
  const idText = required(values['sandbox-id'], '--sandbox-id <id>');
  const sandboxId = Number(idText);
  if (idText.trim() === '' || !Number.isSafeInteger(sandboxId) || sandboxId < 1) {
    throw new RuntimeError(
      'INVALID_ARGUMENT',
      `runtime arguments: --sandbox-id must be a positive whole number, got ${JSON.stringify(idText)}`,
    );
  }
  const connectTimeoutMs = milliseconds(values['connect-timeout-ms'], '--connect-timeout-ms');
  const stopGraceMs = milliseconds(values['stop-grace-ms'], '--stop-grace-ms');
  return {
    dbPath,
    home,
    sandboxName,
    sandboxId,
    ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
    ...(stopGraceMs === undefined ? {} : { stopGraceMs }),
  };
}

function required(text: string | undefined, flag: string): string {
  if (text === undefined || text === '') {
    throw new RuntimeError('INVALID_ARGUMENT', `runtime arguments: ${flag} is required`);
  }
  return text;
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
