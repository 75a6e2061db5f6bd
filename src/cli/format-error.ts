import { DbBusyError, dbPathFor, msbHome } from '../db/index.js';
import { SubjectError } from './subject-error.js';
import { terminalSafe } from './terminal-safe.js';

/**
 * The stderr line of an error that ended a command or one name of it: `msb: <message> [CODE]`.
 *
 * 1. A {@link SubjectError} is shown as its cause, prefixed with the sandbox, image or volume
 *    (`sandbox "web": `) unless the message already quotes that name.
 * 2. A database error (any `SqliteError`, `DbBusyError`) names the database file `database`
 *    (default `$MSB_HOME/db/msb.db`) unless its message already does.
 * 3. Control characters are escaped ({@link terminalSafe}): names and values typed by the user or
 *    stored in the database reach the terminal as text, never as escape sequences.
 * 4. The code is shown when the error has a machine-readable one.
 *
 * @example
 * ```ts
 * io.err(formatError(new HostError('SANDBOX_NOT_FOUND', 'sandbox "a" does not exist')));
 * // 'msb: sandbox "a" does not exist [SANDBOX_NOT_FOUND]\n'
 * ```
 */
export function formatError(err: unknown, database: string = dbPathFor(msbHome())): string {
  const inner = err instanceof SubjectError ? err.cause : err;
  let message = inner instanceof Error ? inner.message : String(inner);
  if (isDatabaseError(inner) && !message.includes(database)) {
    // DbBusyError's message starts "database stayed busy…": the path goes after that word.
    message =
      inner instanceof DbBusyError
        ? `database ${database} ${message.slice('database '.length)}`
        : `database ${database}: ${message}`;
  }
  if (err instanceof SubjectError && !message.includes(`"${err.subject}"`)) {
    message = `${err.kind} "${err.subject}": ${message}`;
  }
  const code = (inner as { code?: unknown } | null)?.code;
  const tag = inner instanceof Error && typeof code === 'string' ? ` [${terminalSafe(code)}]` : '';
  return `msb: ${terminalSafe(message)}${tag}\n`;
}

/** A `SqliteError` (also one revived from a worker, where `instanceof` fails) or a `DbBusyError`. */
function isDatabaseError(err: unknown): boolean {
  if (err instanceof DbBusyError) return true;
  const { name, code } = (err ?? {}) as { name?: unknown; code?: unknown };
  return name === 'SqliteError' && typeof code === 'string';
}
