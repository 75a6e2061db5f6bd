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
const DEFAULT_COUNTS = [50, 200] as const;
const FULL_COUNTS = [50, 200, 500] as const;

/**
 * The benchmark's command line.
 *
 * @example
 * ```ts
 * const args: StormArgs = { counts: [50, 200], reps: 3, holdSecs: 3, modes: ['typed', 'naive', 'none'] };
 * ```
 */
export interface StormArgs {
  /** Storm sizes, each run `reps` times per mode. */
  readonly counts: readonly number[];
  readonly reps: number;
  readonly holdSecs: number;
  readonly modes: readonly StormMode[];
}

/**
 * Parses `[--count <n>[,<n>…]] [--full] [--reps <r>] [--hold-secs <s>] [--modes typed,naive,none]`.
 * Defaults: counts 50 and 200 (`--full` adds 500), 3 repetitions, hold 3 s, all three modes. A malformed
 * number, an unknown or repeated mode is a {@link StormArgsError} naming the argument.
 *
 * @example
 * ```ts
 * parseStormArgs(['--count', '20', '--reps', '1', '--modes', 'typed,none']);
 * // { counts: [20], reps: 1, holdSecs: 3, modes: ['typed', 'none'] }
 * ```
 */
export function parseStormArgs(argv: readonly string[]): StormArgs {
  let values: { count?: string; full?: boolean; reps?: string; 'hold-secs'?: string; modes?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        count: { type: 'string' },
        full: { type: 'boolean' },
        reps: { type: 'string' },
        'hold-secs': { type: 'string' },
        modes: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new StormArgsError(`bench:storm arguments: ${(err as Error).message}`);
  }
  if (values.count !== undefined && values.full === true) {
    throw new StormArgsError('--count and --full exclude each other (--full runs 50, 200 and 500)');
  }
  const counts =
    values.count === undefined
      ? [...(values.full === true ? FULL_COUNTS : DEFAULT_COUNTS)]
      : values.count.split(',').map((text) => wholeNumber(text, '--count', 1));
  const reps = values.reps === undefined ? 3 : wholeNumber(values.reps, '--reps', 1);
  const holdSecs = values['hold-secs'] === undefined ? 3 : wholeNumber(values['hold-secs'], '--hold-secs', 0);
  const modes = (values.modes ?? MODES.join(',')).split(',').map((m) => m.trim());
  for (const [i, mode] of modes.entries()) {
    if (!MODES.includes(mode as StormMode)) {
      throw new StormArgsError(`--modes: unknown mode "${mode}" (valid: ${MODES.join(', ')})`);
    }
    if (modes.indexOf(mode) !== i) throw new StormArgsError(`--modes: mode "${mode}" is given twice`);
  }
  return { counts, reps, holdSecs, modes: modes as StormMode[] };
}

function wholeNumber(text: string, flag: string, min: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < min) {
    throw new StormArgsError(`${flag} must be a whole number >= ${min}, got ${JSON.stringify(text)}`);
  }
  return value;
}
