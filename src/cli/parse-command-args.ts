import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` `parseArgs` in strict mode with positionals allowed and a `--help` flag added, whose
 * errors become a {@link UsageError} naming the command.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseCommandArgs('stop', args, { timeout: { type: 'string' } });
 * ```
 */
export function parseCommandArgs<const O extends Options>(
  command: string,
  args: readonly string[],
  options: O,
) {
  try {
    return parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } } as O & {
        help: { type: 'boolean'; short: 'h' };
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new UsageError(`${command}: ${(err as Error).message}`, command);
  }
}
