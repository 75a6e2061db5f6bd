/**
 * A bad command line of the boot-storm benchmark; the message names the argument.
 *
 * @example
 * ```ts
 * throw new StormArgsError('--count must be a whole number >= 1, got "x"');
 * ```
 */
export class StormArgsError extends Error {
  override readonly name = 'StormArgsError';
  readonly code = 'INVALID_ARGUMENT';
}
