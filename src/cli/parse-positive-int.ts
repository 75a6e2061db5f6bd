import { UsageError } from './usage-error.js';

/**
 * Parses an option value as a positive whole number, or throws a {@link UsageError} naming the option.
 *
 * @example
 * ```ts
 * parsePositiveInt('fleet', '--count', '20'); // 20
 * ```
 */
export function parsePositiveInt(command: string, option: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${command}: ${option} must be a positive whole number, got "${text}"`, command);
  }
  return value;
}
