import Database from 'better-sqlite3';
import { functionResultType } from '../function-table.js';
import {
  ANY_VALUE,
  type AnalyzedType,
  representationStorage,
  type StorageClass,
  unionType,
} from '../value-type.js';

/**
 * How a function is called, besides its arguments' types.
 *
 * @example
 * ```ts
 * const call: FunctionCall = { distinct: false, star: true, window: false, currentRowFrame: false, literals: undefined };
 * ```
 */
export interface FunctionCall {
  readonly distinct: boolean;
  /** `count(*)`. */
  readonly star: boolean;
  /** Called with `OVER (…)`. */
  readonly window: boolean;
  /** Called with `OVER (…)` without a frame clause, so the frame ends at and holds the current row. */
  readonly currentRowFrame: boolean;
  /** The arguments' SQL text when every argument is a string or number literal. */
  readonly literals: readonly string[] | undefined;
}

const DATE_FNS = new Set(['date', 'time', 'datetime', 'strftime', 'julianday', 'unixepoch', 'timediff']);

/** Functions whose result is one of their arguments as it is: which arguments, by argument count. */
const PASS_THROUGH: ReadonlyMap<string, (count: number) => readonly number[]> = new Map([
  ['max', every],
  ['min', every],
  ['coalesce', every],
  ['ifnull', every],
  ['nullif', () => [0]],
  ['iif', caseValues],
  ['if', caseValues],
  ['first_value', () => [0]],
  ['last_value', () => [0]],
  ['nth_value', () => [0]],
  ['lag', (count) => (count > 2 ? [0, 2] : [0])],
  ['lead', (count) => (count > 2 ? [0, 2] : [0])],
  ['likely', () => [0]],
  ['unlikely', () => [0]],
  ['likelihood', () => [0]],
]);

/**
 * The type of a function call's result: the one place the expression stage asks.
 *
 * 1. Storage and nullability come from SQLite's function table ({@link functionResultType}); a
 *    function it does not hold, or a call SQLite would refuse, is {@link ANY_VALUE}.
 * 2. A function that returns one of its arguments as it is (`max`, `coalesce`, `iif`, `lag`, …) keeps
 *    what the table cannot carry: the arguments' enum values and `sqlc.yaml` representation, and
 *    whether they need checking (an argument SQLite does not guarantee passes that on).
 * 3. What the table cannot see: a date function called with literals only is run once, on SQLite
 *    itself, and is NULL exactly when that run is (the table must assume any text can be an invalid
 *    time; `'now'` is always valid); `first_value`/`last_value` over the default
 *    frame, which holds the current row, are NULL only when their argument is.
 *
 * @example
 * ```ts
 * functionCallType('count', [], { distinct: false, star: true, window: false, currentRowFrame: false, literals: undefined }); // integer, not null
 * ```
 */
export function functionCallType(
  name: string,
  args: readonly AnalyzedType[],
  call: FunctionCall,
): AnalyzedType {
  const t = functionResultType(name, args, call);
  if (t === undefined) return ANY_VALUE;
  const nullable =
    DATE_FNS.has(name) && call.literals !== undefined && args.length > 0
      ? literalCallIsNull(name, call.literals)
      : call.currentRowFrame && (name === 'first_value' || name === 'last_value')
        ? (args[0]?.nullable ?? true)
        : t.nullable;
  const passed = PASS_THROUGH.get(name)?.(args.length) ?? [];
  const values = passed
    .map((i) => args[i])
    .filter((a): a is AnalyzedType => a !== undefined && (a.storage === 'any' || a.storage.length > 0));
  const first = values[0];
  if (first === undefined || t.storage === 'any') return { storage: t.storage, nullable };
  const joined = values.slice(1).reduce((acc, a) => unionType(acc, a), first);
  const has = (s: StorageClass): boolean => t.storage !== 'any' && t.storage.includes(s);
  const r = joined.representation;
  return {
    storage: t.storage,
    nullable,
    ...(joined.enumValues !== undefined && has('text') ? { enumValues: joined.enumValues } : {}),
    ...(r !== undefined && has(representationStorage(r)) ? { representation: r } : {}),
    ...(joined.checked ? { checked: true as const } : {}),
  };
}

function every(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

/** `iif(c1, v1, c2, v2, …, else)`: the value positions and a trailing ELSE. */
function caseValues(count: number): number[] {
  const picked: number[] = [];
  for (let i = 1; i < count; i += 2) picked.push(i);
  if (count % 2 === 1) picked.push(count - 1);
  return picked;
}

/**
 * The arguments a call returns as they are, by position (`coalesce`: every one, `nullif`: the first,
 * `iif`: the values and the ELSE); empty for any other function.
 *
 * @example
 * ```ts
 * passedThrough('iif', 3); // [1, 2]
 * ```
 */
export function passedThrough(name: string, count: number): readonly number[] {
  return PASS_THROUGH.get(name.toLowerCase())?.(count) ?? [];
}

let constants: Database.Database | undefined;

/**
 * Whether a date function of literal arguments returns NULL: it depends only on those literals (and on
 * the clock for `'now'`, which never makes it NULL), so one run on an in-memory database says.
 */
function literalCallIsNull(name: string, literals: readonly string[]): boolean {
  constants ??= new Database(':memory:');
  try {
    const row = constants.prepare(`SELECT ${name}(${literals.join(', ')}) IS NULL AS n`).get() as {
      n: number;
    };
    return row.n === 1;
  } catch {
    // SQLite refuses the call (say, too many arguments): it is not typed here.
    return true;
  }
}
