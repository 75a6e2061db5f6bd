import { ANY_VALUE, type AnalyzedType, unionType } from '../value-type.js';

/**
 * How a function is called, besides its arguments' types.
 *
 * @example
 * ```ts
 * const call: FunctionCall = { distinct: false, star: true, window: false, literalArgs: false };
 * ```
 */
export interface FunctionCall {
  readonly distinct: boolean;
  /** `count(*)`. */
  readonly star: boolean;
  /** Called with `OVER (…)`. */
  readonly window: boolean;
  /** Every argument is a literal (date functions only fail on values they cannot read). */
  readonly literalArgs: boolean;
}

const TEXT_FNS = new Set([
  'lower',
  'upper',
  'trim',
  'ltrim',
  'rtrim',
  'replace',
  'substr',
  'substring',
  'hex',
  'quote',
  'char',
  'printf',
  'format',
  'concat',
  'concat_ws',
]);
const WINDOW_RANKS = new Set(['row_number', 'rank', 'dense_rank', 'ntile']);
const WINDOW_OFFSETS = new Set(['lag', 'lead', 'nth_value']);
const INT_FNS = new Set(['length', 'instr', 'unicode', 'sign', 'octet_length']);
const NOT_NULL_INT_FNS = new Set(['random', 'changes', 'total_changes', 'last_insert_rowid', 'count']);
const DATE_FNS = new Set(['date', 'time', 'datetime', 'strftime', 'julianday', 'unixepoch']);
const JSON_BUILDERS = new Set(['json_array', 'json_object', 'json_group_array', 'json_group_object']);

const INTEGER: AnalyzedType = { storage: ['integer'], nullable: false };
const REAL: AnalyzedType = { storage: ['real'], nullable: false };
const TEXT: AnalyzedType = { storage: ['text'], nullable: false };

/**
 * The type of a function call's result: the one place the expression stage asks (SQLite's built-in
 * functions; an unknown function is {@link ANY_VALUE}).
 *
 * 1. `count`, `total` and window ranks always have a value; `sum`, `avg`, one-argument `max`/`min`,
 *    `nullif`, window offsets (`lag`, …) can be NULL.
 * 2. `coalesce`/`ifnull` are NULL only when every argument can be; `iif` is its two results joined.
 * 3. Scalar functions are NULL when an argument is; date functions also on an unreadable value.
 *
 * @example
 * ```ts
 * functionCallType('count', [], { distinct: false, star: true, window: false, literalArgs: false }); // integer, not null
 * ```
 */
export function functionCallType(
  name: string,
  args: readonly AnalyzedType[],
  call: FunctionCall,
): AnalyzedType {
  const anyNull = args.some((a) => a.nullable);
  const first = args[0] ?? ANY_VALUE;
  const integerOnly =
    first.storage !== 'any' && first.storage.length > 0 && first.storage.every((s) => s === 'integer');
  if (NOT_NULL_INT_FNS.has(name)) return INTEGER;
  if (call.window) {
    // Offsets can fall outside the frame; aggregates over a window see at least the current row.
    if (WINDOW_RANKS.has(name)) return INTEGER;
    if (name === 'percent_rank' || name === 'cume_dist') return REAL;
    if (WINDOW_OFFSETS.has(name)) return { ...first, nullable: true };
    if (name === 'first_value' || name === 'last_value') return first;
  }
  switch (name) {
    case 'total':
      return REAL;
    case 'sum':
      return { storage: integerOnly ? ['integer'] : ['integer', 'real'], nullable: true };
    case 'avg':
      return { ...REAL, nullable: true };
    case 'max':
    case 'min':
      if (args.length === 1) return { ...first, nullable: true };
      return args.reduce((acc, a) => unionType(acc, a), first);
    case 'coalesce':
    case 'ifnull': {
      const known = args.filter((a) => a.storage === 'any' || a.storage.length > 0);
      const head = known[0];
      if (head === undefined) return ANY_VALUE;
      const joined = known.slice(1).reduce((acc, a) => unionType(acc, a), head);
      return { ...joined, nullable: args.every((a) => a.nullable) };
    }
    case 'nullif':
      return { ...first, nullable: true };
    case 'iif':
    case 'if': {
      const [, a, b] = args;
      if (a === undefined || b === undefined || args.length !== 3) return ANY_VALUE;
      const joined = unionType(a, b);
      return joined.storage !== 'any' && joined.storage.length === 0 ? ANY_VALUE : joined;
    }
    case 'abs':
      return { storage: integerOnly ? ['integer'] : ['integer', 'real'], nullable: first.nullable };
    case 'round':
      return { ...REAL, nullable: anyNull };
    case 'typeof':
      return TEXT;
    case 'group_concat':
    case 'string_agg':
      return { ...TEXT, nullable: true };
    case 'json':
      return { ...TEXT, nullable: anyNull };
    case 'json_array_length':
      return { ...INTEGER, nullable: true };
    case 'json_valid':
      return INTEGER;
    default:
      break;
  }
  if (JSON_BUILDERS.has(name)) return TEXT;
  if (DATE_FNS.has(name)) {
    const storage =
      name === 'julianday' ? REAL.storage : name === 'unixepoch' ? INTEGER.storage : TEXT.storage;
    return { storage, nullable: !call.literalArgs };
  }
  if (TEXT_FNS.has(name)) return { ...TEXT, nullable: anyNull };
  if (INT_FNS.has(name)) return { ...INTEGER, nullable: anyNull };
  return ANY_VALUE;
}
