import { parseArgs } from 'node:util';
import { StormArgsError } from './storm-args-error.js';

/**
 * The three ways of booting a storm: the typed design, the naive port, no database at all.
 *
 * @example
 * ```ts
 * const mode: StormMode = 'naive';
 * ```
 */
export type StormMode = 'typed' | 'naive' | 'none';

const MODES: readonly StormMode[] = ['typed', 'naive', 'none'];

/**
 * The benchmark's command line.
 *
 * @example
 * ```ts
 * const args: StormArgs = { count: 200, holdSecs: 3, modes: ['typed', 'naive', 'none'] };
 * ```
 */
export interface StormArgs {
  readonly count: number;
  readonly holdSecs: number;
  readonly modes: readonly StormMode[];
}

/**
 * Parses `[--count <n>] [--hold-secs <s>] [--modes typed,naive,none]` (defaults 200, 3, all three in
 * that order). A malformed, unknown or repeated mode is a {@link StormArgsError} naming the argument.
 *
 * @example
 * ```ts
 * parseStormArgs(['--count', '20', '--modes', 'typed,none']); // { count: 20, holdSecs: 3, modes: ['typed', 'none'] }
 * ```
 */
export function parseStormArgs(argv: readonly string[]): StormArgs {
  let values: { count?: string; 'hold-secs'?: string; modes?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { count: { type: 'string' }, 'hold-secs': { type: 'string' }, modes: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new StormArgsError(`bench:storm arguments: ${(err as Error).message}`);
  }
  const count = wholeNumber(values.count, '--count', 200, 1);
  const holdSecs = wholeNumber(values['hold-secs'], '--hold-secs', 3, 0);
  const modes = (values.modes ?? MODES.join(',')).split(',').map((m) => m.trim());
  for (const [i, mode] of modes.entries()) {
    if (!MODES.includes(mode as StormMode)) {
      throw new StormArgsError(`--modes: unknown mode "${mode}" (valid: ${MODES.join(', ')})`);
    }
    if (modes.indexOf(mode) !== i) throw new StormArgsError(`--modes: mode "${mode}" is given twice`);
  }
  return { count, holdSecs, modes: modes as StormMode[] };
}

function wholeNumber(text: string | undefined, flag: string, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < min) {
    throw new StormArgsError(`${flag} must be a whole number >= ${min}, got ${JSON.stringify(text)}`);
  }
  return value;
}
