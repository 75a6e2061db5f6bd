import { HostError, type HostErrorCode } from '../sandbox/errors.js';
import { SubjectError } from './subject-error.js';
import { UsageError } from './usage-error.js';

/**
 * The exit codes of `msb`, which scripts may rely on.
 *
 * @example
 * ```ts
 * process.exitCode = EXIT.NOT_FOUND;
 * ```
 */
export const EXIT = Object.freeze({
  /** Success. */
  OK: 0,
  /** Any failure without a more specific code (a runtime that failed to start, a busy timeout, …). */
  FAILURE: 1,
  /** Bad command line: unknown command or option, missing or malformed argument. */
  USAGE: 2,
  /** The named sandbox, image or volume does not exist. */
  NOT_FOUND: 3,
  /** The request conflicts with the current state: exists already, running, not running, in use. */
  CONFLICT: 4,
});

const NOT_FOUND: ReadonlySet<HostErrorCode> = new Set([
  'SANDBOX_NOT_FOUND',
  'IMAGE_NOT_FOUND',
  'VOLUME_NOT_FOUND',
]);
const CONFLICT: ReadonlySet<HostErrorCode> = new Set([
  'SANDBOX_EXISTS',
  'SANDBOX_RUNNING',
  'SANDBOX_NOT_RUNNING',
  'SANDBOX_DIR_EXISTS',
  'IMAGE_IN_USE',
  'VOLUME_EXISTS',
]);

/**
 * The exit code for an error that ended a command (a {@link SubjectError} is judged by its cause).
 * Database errors (`SqliteError`, `DbBusyError`, `DbOpenError`) and a bad `config.json`
 * (`DbConfigError`) are failures: 1.
 *
 * @example
 * ```ts
 * exitCodeFor(new HostError('SANDBOX_NOT_FOUND', 'sandbox "a" does not exist')); // 3
 * ```
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof SubjectError) return exitCodeFor(err.cause);
  if (err instanceof UsageError) return EXIT.USAGE;
  if (err instanceof HostError) {
    if (err.code === 'INVALID_ARGUMENT') return EXIT.USAGE;
    if (NOT_FOUND.has(err.code)) return EXIT.NOT_FOUND;
    if (CONFLICT.has(err.code)) return EXIT.CONFLICT;
  }
  return EXIT.FAILURE;
}

// Most severe first: a failure leaves the state unknown; a bad argument, a missing name and a state
// conflict (often "already stopped") are each milder than the one before.
const SEVERITY: readonly number[] = [EXIT.FAILURE, EXIT.USAGE, EXIT.NOT_FOUND, EXIT.CONFLICT, EXIT.OK];

/**
 * The exit code of a command that had several outcomes (one per name): the most severe of `codes`,
 * in the order 1 (failure) > 2 (usage) > 3 (not found) > 4 (conflict) > 0 (ok). An empty list is 0.
 *
 * @example
 * ```ts
 * mostSevereExitCode([EXIT.OK, EXIT.CONFLICT, EXIT.NOT_FOUND]); // 3
 * ```
 */
export function mostSevereExitCode(codes: readonly number[]): number {
  let worst: number = EXIT.OK;
  for (const code of codes) {
    const rank = SEVERITY.indexOf(code);
    // An unknown code is treated as a failure, never as success.
    if (rank === -1) return code;
    if (rank < SEVERITY.indexOf(worst)) worst = code;
  }
  return worst;
}
