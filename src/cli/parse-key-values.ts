import { UsageError } from './usage-error.js';

/**
 * Parses repeated `KEY=VALUE` option values (`--env`, `--label`) into an object; a value without `=`
 * or with an empty key is a {@link UsageError} naming the option.
 *
 * @example
 * ```ts
 * parseKeyValues('create', '--env', ['A=1', 'B=x=y']); // { A: '1', B: 'x=y' }
 * ```
 */
export function parseKeyValues(
  command: string,
  option: string,
  items: readonly string[] | undefined,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${command}: ${option} expects KEY=VALUE, got "${item}"`, command);
    result[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return result;
}
