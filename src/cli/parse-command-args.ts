import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * The parsed values of a command's options: a string or boolean per option (an array when
 * `multiple`), absent when not given.
 *
 * @example
 * ```ts
 * const values: OptionValues<{ json: { type: 'boolean' } }> = { json: true };
 * ```
 */
export type OptionValues<O extends Options> = {
  readonly [K in keyof O]?: O[K] extends { readonly type: 'boolean' }
    ? O[K] extends { readonly multiple: true }
      ? boolean[]
      : boolean
    : O[K] extends { readonly multiple: true }
      ? string[]
      : string;
} & { readonly help?: boolean };

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
): { values: OptionValues<O>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
    // parseArgs types its values from the literal config; ours is generic, so OptionValues restates it.
    return { values: values as OptionValues<O>, positionals };
  } catch (err) {
    // parseArgs breaks some messages over lines; one line reads better than escaped newlines.
    throw new UsageError(`${command}: ${(err as Error).message.replace(/\n/g, ' ')}`, command);
  }
}
