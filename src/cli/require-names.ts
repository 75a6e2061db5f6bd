import { UsageError } from './usage-error.js';

/**
 * The positional sandbox/volume names of a command; none is a {@link UsageError}.
 *
 * @example
 * ```ts
 * const names = requireNames('stop', positionals);
 * ```
 */
export function requireNames(command: string, positionals: readonly string[], what = 'name'): string[] {
  if (positionals.length === 0) throw new UsageError(`${command}: missing <${what}>`, command);
  return [...positionals];
}
