import type { StorageClass } from './value-type.js';

/**
 * Which arguments of a call a rule reads: explicit positions, every position from one on, or the
 * value positions of a CASE-like call (`iif(c1, v1, c2, v2, …, else)`: the odd positions plus a trailing
 * ELSE when the count is odd).
 *
 * @example
 * ```ts
 * const first: ArgSelector = { at: [0] };
 * ```
 */
export type ArgSelector =
  | { readonly at: readonly number[] }
  | { readonly from: number }
  | { readonly caseValues: true };

/**
 * What one storage class of an argument turns into: the result's storage classes, and whether that
 * class alone can already make the result NULL (`sqrt('abc')` is NULL, `ceil(x'00')` is always NULL).
 *
 * @example
 * ```ts
 * const realOrNull: ClassOutcome = { storage: ['real'], nullable: true };
 * ```
 */
export interface ClassOutcome {
  readonly storage: readonly StorageClass[];
  readonly nullable: boolean;
}

/**
 * One source of a result's storage classes; a function's result is the union of its rules.
 *
 * 1. `fixed`: these classes whatever the arguments are.
 * 2. `args`: the classes of the selected arguments (the function returns one of them as it is).
 * 3. `by-class`: the classes each storage class of one argument maps to (`abs`: integer stays integer,
 *    anything else becomes real).
 * 4. `any`: genuinely dynamic.
 *
 * @example
 * ```ts
 * const sameAsFirst: StorageRule = { kind: 'args', args: { at: [0] } };
 * ```
 */
export type StorageRule =
  | { readonly kind: 'fixed'; readonly storage: readonly StorageClass[] }
  | { readonly kind: 'args'; readonly args: ArgSelector }
  | {
      readonly kind: 'by-class';
      readonly arg: number;
      readonly map: Readonly<Record<StorageClass, ClassOutcome>>;
    }
  | { readonly kind: 'any' };

/**
 * One reason a result can be NULL; a function's result is nullable when any of its rules applies.
 *
 * 1. `any-null`: a selected argument is nullable (or absent: `printf()` is NULL).
 * 2. `all-null`: every selected argument is nullable (`coalesce`).
 * 3. `empty`: the group or window frame has no rows (or only NULLs, for aggregates that skip them).
 * 4. `no-else`: a CASE-like call with an even argument count has no ELSE.
 * 5. `other`: SQLite returns NULL for reasons a type cannot show; `reason` says which.
 *
 * @example
 * ```ts
 * const domain: NullRule = { kind: 'other', reason: 'outside the domain' };
 * ```
 */
export type NullRule =
  | { readonly kind: 'any-null'; readonly args: ArgSelector }
  | { readonly kind: 'all-null'; readonly args: ArgSelector }
  | { readonly kind: 'empty' }
  | { readonly kind: 'no-else' }
  | { readonly kind: 'other'; readonly reason: string };

/**
 * How a function may be called: `scalar`; `aggregate` (with or without OVER); `aggregate-no-window`
 * (an aggregate SQLite refuses as a window function); `window` (only with OVER).
 *
 * @example
 * ```ts
 * const k: FunctionKind = 'window';
 * ```
 */
export type FunctionKind = 'scalar' | 'aggregate' | 'aggregate-no-window' | 'window';

/**
 * One way to call a function: its kind, the argument counts SQLite accepts (`max` may be `Infinity`),
 * and the result's storage and NULL rules.
 *
 * @example
 * ```ts
 * const f: FunctionForm = { kind: 'scalar', min: 1, max: 1, result: [{ kind: 'fixed', storage: ['integer'] }], nulls: [] };
 * ```
 */
export interface FunctionForm {
  readonly kind: FunctionKind;
  readonly min: number;
  readonly max: number;
  readonly result: readonly StorageRule[];
  readonly nulls: readonly NullRule[];
  /**
   * Set for an auxiliary function of full-text tables: SQLite only runs it when its first argument
   * names a table of one of these modules in the query's FROM clause, which supplies the function. That
   * argument is the table, not a value, so no rule reads it.
   */
  readonly fullText?: readonly FullTextModule[];
}

/**
 * A full-text module whose tables supply auxiliary functions: `fts5`, or `fts3` (FTS3 and FTS4 tables
 * share one implementation).
 *
 * @example
 * ```ts
 * const m: FullTextModule = 'fts5';
 * ```
 */
export type FullTextModule = 'fts5' | 'fts3';

/**
 * A built-in function of the SQLite build better-sqlite3 ships, with every form it can be called in.
 *
 * @example
 * ```ts
 * SQLITE_FUNCTIONS.find((f) => f.name === 'abs')?.forms.length; // 1
 * ```
 */
export interface SqliteFunction {
  readonly name: string;
  readonly forms: readonly FunctionForm[];
}

/**
 * A function `pragma_function_list` lists that the table deliberately leaves out, and why.
 *
 * @example
 * ```ts
 * EXCLUDED_FUNCTIONS.some((f) => f.name === 'load_extension'); // true
 * ```
 */
export interface ExcludedFunction {
  readonly name: string;
  readonly reason: string;
}

const I: StorageClass[] = ['integer'];
const R: StorageClass[] = ['real'];
const T: StorageClass[] = ['text'];
const B: StorageClass[] = ['blob'];
const NUMBER: StorageClass[] = ['integer', 'real'];
const ALL: StorageClass[] = ['integer', 'real', 'text', 'blob'];

const fixed = (...storage: StorageClass[]): StorageRule => ({ kind: 'fixed', storage });
const argsOf = (...at: number[]): StorageRule => ({ kind: 'args', args: { at } });
const out = (storage: StorageClass[], nullable = false): ClassOutcome => ({ storage, nullable });
const byClass = (arg: number, map: Record<StorageClass, ClassOutcome>): StorageRule => ({
  kind: 'by-class',
  arg,
  map,
});

const ARG_NULL = (...at: number[]): NullRule => ({ kind: 'any-null', args: { at } });
const ANY_ARG_NULL: NullRule = { kind: 'any-null', args: { from: 0 } };
const EMPTY: NullRule = { kind: 'empty' };
const other = (reason: string): NullRule => ({ kind: 'other', reason });

const INVALID_TIME = other('the time value or a modifier is not understood');
const NOT_FOUND = other('the path selects nothing');
const EMPTY_TEXT = other('the formatted text is empty');
const INFINITIES = other('infinities of both signs add up to NaN, which SQLite stores as NULL');
const NOT_NUMERIC = 'text that does not look like a number, or a blob';

const form = (
  kind: FunctionKind,
  min: number,
  max: number,
  result: StorageRule[],
  nulls: NullRule[] = [],
): FunctionForm => ({ kind, min, max, result, nulls });
const scalar = (min: number, max: number, result: StorageRule[], nulls: NullRule[] = []) =>
  form('scalar', min, max, result, nulls);
const fn = (name: string, ...forms: FunctionForm[]): SqliteFunction => ({ name, forms });
/** An auxiliary function of full-text tables: a scalar whose first argument names the table. */
const auxiliary = (
  name: string,
  fullText: FullTextModule[],
  min: number,
  max: number,
  storage: StorageClass[],
  ...nulls: NullRule[]
) => fn(name, { ...scalar(min, max, [fixed(...storage)], nulls), fullText });
/** A NULL-propagating scalar with fixed result classes. */
const strict = (name: string, min: number, max: number, storage: StorageClass[], ...more: NullRule[]) =>
  fn(name, scalar(min, max, [fixed(...storage)], [ANY_ARG_NULL, ...more]));
/** A scalar that is never NULL. */
const total = (name: string, min: number, max: number, storage: StorageClass[]) =>
  fn(name, scalar(min, max, [fixed(...storage)]));

/**
 * A math function of one argument: numbers go through `sqlite3_value_numeric_type`, so numeric text
 * counts, other text and blobs give NULL. `integerNull`/`realNull` say whether a finite integer or any
 * real (infinities included) can fall outside the domain and give NULL (NaN is stored as NULL).
 */
const math1 = (name: string, integerNull: boolean, realNull: boolean) =>
  fn(
    name,
    scalar(
      1,
      1,
      [
        byClass(0, {
          integer: out(R, integerNull),
          real: out(R, realNull),
          text: out(R, true),
          blob: out([], true),
        }),
      ],
      [ANY_ARG_NULL],
    ),
  );

/** `ceil`, `floor`, `trunc`: an integer stays the same integer, a real stays real. */
const rounding = (name: string) =>
  fn(
    name,
    scalar(
      1,
      1,
      [byClass(0, { integer: out(I), real: out(R), text: out(NUMBER, true), blob: out([], true) })],
      [ANY_ARG_NULL],
    ),
  );

/** A JSON function that edits its first argument; the `jsonb` variant returns the binary form. */
const jsonEdit = (name: string, min: number, max: number) => [
  strict(`json_${name}`, min, max, T, other('the arguments are missing')),
  strict(`jsonb_${name}`, min, max, B, other('the arguments are missing')),
];

/**
 * Every function of the SQLite build better-sqlite3 ships that a query may call, with its argument
 * counts, result storage classes and NULL rules. `test/codegen/function-table.test.ts` calls each one
 * over a grid of arguments and checks every result against these rules.
 *
 * @example
 * ```ts
 * const abs = SQLITE_FUNCTIONS.find((f) => f.name === 'abs');
 * ```
 */
export const SQLITE_FUNCTIONS: readonly SqliteFunction[] = [
  // Core scalar functions.
  fn(
    'abs',
    scalar(1, 1, [byClass(0, { integer: out(I), real: out(R), text: out(R), blob: out(R) })], [ANY_ARG_NULL]),
  ),
  total('changes', 0, 0, I),
  fn('char', scalar(0, Infinity, [fixed('text')])),
  fn(
    'coalesce',
    scalar(2, Infinity, [{ kind: 'args', args: { from: 0 } }], [{ kind: 'all-null', args: { from: 0 } }]),
  ),
  fn('concat', scalar(1, Infinity, [fixed('text')])),
  strict('concat_ws', 2, Infinity, T),
  fn('format', scalar(0, Infinity, [fixed('text')], [ARG_NULL(0), EMPTY_TEXT])),
  strict('glob', 2, 2, I),
  total('hex', 1, 1, T),
  fn(
    'if',
    scalar(
      2,
      Infinity,
      [{ kind: 'args', args: { caseValues: true } }],
      [{ kind: 'any-null', args: { caseValues: true } }, { kind: 'no-else' }],
    ),
  ),
  fn('ifnull', scalar(2, 2, [argsOf(0, 1)], [{ kind: 'all-null', args: { from: 0 } }])),
  fn(
    'iif',
    scalar(
      2,
      Infinity,
      [{ kind: 'args', args: { caseValues: true } }],
      [{ kind: 'any-null', args: { caseValues: true } }, { kind: 'no-else' }],
    ),
  ),
  strict('instr', 2, 2, I),
  total('last_insert_rowid', 0, 0, I),
  strict('length', 1, 1, I),
  strict('like', 2, 3, I),
  fn('likelihood', scalar(2, 2, [argsOf(0)], [ARG_NULL(0)])),
  fn('likely', scalar(1, 1, [argsOf(0)], [ARG_NULL(0)])),
  strict('lower', 1, 1, T),
  strict('ltrim', 1, 2, T),
  fn(
    'max',
    form('aggregate', 1, 1, [argsOf(0)], [ARG_NULL(0), EMPTY]),
    scalar(2, Infinity, [{ kind: 'args', args: { from: 0 } }], [ANY_ARG_NULL]),
  ),
  fn(
    'min',
    form('aggregate', 1, 1, [argsOf(0)], [ARG_NULL(0), EMPTY]),
    scalar(2, Infinity, [{ kind: 'args', args: { from: 0 } }], [ANY_ARG_NULL]),
  ),
  fn('nullif', scalar(2, 2, [argsOf(0)], [ARG_NULL(0), other('the arguments are equal')])),
  strict('octet_length', 1, 1, I),
  fn('printf', scalar(0, Infinity, [fixed('text')], [ARG_NULL(0), EMPTY_TEXT])),
  total('quote', 1, 1, T),
  total('random', 0, 0, I),
  total('randomblob', 1, 1, B),
  strict('replace', 3, 3, T),
  strict('round', 1, 2, R),
  strict('rtrim', 1, 2, T),
  fn(
    'sign',
    scalar(
      1,
      1,
      [byClass(0, { integer: out(I), real: out(I), text: out(I, true), blob: out([], true) })],
      [ANY_ARG_NULL],
    ),
  ),
  total('soundex', 1, 1, T),
  fn('sqlite_compileoption_get', scalar(1, 1, [fixed('text')], [other('no option has that index')])),
  strict('sqlite_compileoption_used', 1, 1, I),
  fn('sqlite_log', scalar(2, 2, [fixed()], [other('always NULL')])),
  total('sqlite_source_id', 0, 0, T),
  total('sqlite_version', 0, 0, T),
  fn(
    'substr',
    scalar(
      2,
      3,
      [byClass(0, { integer: out(T), real: out(T), text: out(T), blob: out(B, true) })],
      [ANY_ARG_NULL],
    ),
  ),
  fn(
    'substring',
    scalar(
      2,
      3,
      [byClass(0, { integer: out(T), real: out(T), text: out(T), blob: out(B, true) })],
      [ANY_ARG_NULL],
    ),
  ),
  total('subtype', 1, 1, I),
  strict('trim', 1, 2, T),
  total('total_changes', 0, 0, I),
  total('typeof', 1, 1, T),
  strict('unhex', 1, 2, B, other('the text is not hexadecimal')),
  strict('unicode', 1, 1, I, other('the text is empty')),
  strict('unistr', 1, 1, T),
  total('unistr_quote', 1, 1, T),
  fn('unlikely', scalar(1, 1, [argsOf(0)], [ARG_NULL(0)])),
  strict('upper', 1, 1, T),
  total('zeroblob', 1, 1, B),

  // Math functions.
  math1('acos', true, true),
  math1('acosh', true, true),
  math1('asin', true, true),
  math1('asinh', false, false),
  math1('atan', false, false),
  strict('atan2', 2, 2, R, other(NOT_NUMERIC)),
  math1('atanh', true, true),
  rounding('ceil'),
  rounding('ceiling'),
  math1('cos', false, true),
  math1('cosh', false, false),
  math1('degrees', false, false),
  math1('exp', false, false),
  rounding('floor'),
  math1('ln', true, true),
  fn(
    'log',
    scalar(1, 1, [fixed('real')], [ANY_ARG_NULL, other('outside the domain')]),
    scalar(2, 2, [fixed('real')], [ANY_ARG_NULL, other('outside the domain')]),
  ),
  math1('log10', true, true),
  math1('log2', true, true),
  strict('mod', 2, 2, R, other('outside the domain')),
  total('pi', 0, 0, R),
  strict('pow', 2, 2, R, other('outside the domain')),
  strict('power', 2, 2, R, other('outside the domain')),
  math1('radians', false, false),
  math1('sin', false, true),
  math1('sinh', false, false),
  math1('sqrt', true, true),
  math1('tan', false, true),
  math1('tanh', false, false),
  rounding('trunc'),

  // Date and time functions.
  total('current_date', 0, 0, T),
  total('current_time', 0, 0, T),
  total('current_timestamp', 0, 0, T),
  fn('date', scalar(0, Infinity, [fixed('text')], [INVALID_TIME])),
  fn('datetime', scalar(0, Infinity, [fixed('text')], [INVALID_TIME])),
  fn('julianday', scalar(0, Infinity, [fixed('real')], [INVALID_TIME])),
  fn('strftime', scalar(0, Infinity, [fixed('text')], [INVALID_TIME])),
  fn('time', scalar(0, Infinity, [fixed('text')], [INVALID_TIME])),
  fn('timediff', scalar(2, 2, [fixed('text')], [INVALID_TIME])),
  // The 'subsec' modifier makes the result real.
  fn('unixepoch', scalar(0, Infinity, [fixed('integer', 'real')], [INVALID_TIME])),

  // JSON and JSONB functions.
  strict('json', 1, 1, T),
  strict('jsonb', 1, 1, B),
  total('json_array', 0, Infinity, T),
  total('jsonb_array', 0, Infinity, B),
  ...jsonEdit('array_insert', 0, Infinity),
  strict('json_array_length', 1, 2, I, NOT_FOUND),
  strict('json_error_position', 1, 1, I),
  fn(
    'json_extract',
    scalar(
      0,
      Infinity,
      [fixed('integer', 'real', 'text')],
      [other('the path selects nothing or a JSON null')],
    ),
  ),
  fn(
    'jsonb_extract',
    scalar(0, Infinity, [fixed(...ALL)], [other('the path selects nothing or a JSON null')]),
  ),
  ...jsonEdit('insert', 0, Infinity),
  total('json_object', 0, Infinity, T),
  total('jsonb_object', 0, Infinity, B),
  strict('json_patch', 2, 2, T),
  strict('jsonb_patch', 2, 2, B),
  strict('json_pretty', 1, 2, T),
  total('json_quote', 1, 1, T),
  ...jsonEdit('remove', 0, Infinity),
  ...jsonEdit('replace', 0, Infinity),
  ...jsonEdit('set', 0, Infinity),
  strict('json_type', 1, 2, T, NOT_FOUND),
  strict('json_valid', 1, 2, I),
  fn('json_group_array', form('aggregate', 1, 1, [fixed('text')])),
  fn('jsonb_group_array', form('aggregate', 1, 1, [fixed('blob')])),
  fn('json_group_object', form('aggregate', 2, 2, [fixed('text')])),
  fn('jsonb_group_object', form('aggregate', 2, 2, [fixed('blob')])),

  // Aggregate functions.
  fn('avg', form('aggregate', 1, 1, [fixed('real')], [ARG_NULL(0), EMPTY])),
  fn('count', form('aggregate', 0, 1, [fixed('integer')])),
  fn('group_concat', form('aggregate', 1, 2, [fixed('text')], [ARG_NULL(0), EMPTY])),
  fn('string_agg', form('aggregate', 2, 2, [fixed('text')], [ARG_NULL(0), EMPTY])),
  fn(
    'sum',
    form(
      'aggregate',
      1,
      1,
      [byClass(0, { integer: out(I), real: out(R), text: out(NUMBER), blob: out(R) })],
      [ARG_NULL(0), EMPTY],
    ),
  ),
  fn('total', form('aggregate', 1, 1, [fixed('real')], [INFINITIES])),
  fn('median', form('aggregate', 1, 1, [fixed('real')], [ARG_NULL(0), EMPTY])),
  fn('percentile', form('aggregate', 2, 2, [fixed('real')], [ARG_NULL(0), EMPTY])),
  fn('percentile_cont', form('aggregate', 2, 2, [fixed('real')], [ARG_NULL(0), EMPTY])),
  fn('percentile_disc', form('aggregate', 2, 2, [fixed('real')], [ARG_NULL(0), EMPTY])),

  // Window functions.
  fn('row_number', form('window', 0, 0, [fixed('integer')])),
  fn('rank', form('window', 0, 0, [fixed('integer')])),
  fn('dense_rank', form('window', 0, 0, [fixed('integer')])),
  fn('percent_rank', form('window', 0, 0, [fixed('real')])),
  fn('cume_dist', form('window', 0, 0, [fixed('real')])),
  fn('ntile', form('window', 1, 1, [fixed('integer')])),
  fn(
    'lag',
    form('window', 1, 2, [argsOf(0)], [ARG_NULL(0), other('no row at that offset')]),
    form('window', 3, 3, [argsOf(0, 2)], [ARG_NULL(0, 2)]),
  ),
  fn(
    'lead',
    form('window', 1, 2, [argsOf(0)], [ARG_NULL(0), other('no row at that offset')]),
    form('window', 3, 3, [argsOf(0, 2)], [ARG_NULL(0, 2)]),
  ),
  fn('first_value', form('window', 1, 1, [argsOf(0)], [ARG_NULL(0), EMPTY])),
  fn('last_value', form('window', 1, 1, [argsOf(0)], [ARG_NULL(0), EMPTY])),
  fn('nth_value', form('window', 2, 2, [argsOf(0)], [ARG_NULL(0), other('the frame is shorter than N')])),

  // Auxiliary functions of full-text tables. Argument counts are the ones that run: SQLite prepares any
  // count, then the function refuses the others. `snippet` is both FTS5's (table, column, open, close,
  // ellipsis, tokens) and FTS3/4's (table[, open, close, ellipsis, column, tokens]): the table in the
  // call picks one, which the analyzer cannot see, so its entry holds for both.
  auxiliary('bm25', ['fts5'], 1, Infinity, R, other('column weights so large the score overflows to NaN')),
  auxiliary('highlight', ['fts5'], 4, 4, T, other('the selected column holds NULL')),
  auxiliary('snippet', ['fts5', 'fts3'], 1, 6, T, other('the selected column holds NULL')),
  auxiliary('fts5_get_locale', ['fts5'], 2, 2, T, other('the value was stored without a locale')),
  auxiliary('matchinfo', ['fts3'], 1, 2, B),
  auxiliary('offsets', ['fts3'], 1, 1, T),
  auxiliary('optimize', ['fts3'], 1, 1, T),

  // Extensions compiled into better-sqlite3's SQLite (FTS5, Geopoly) whose functions work anywhere.
  total('fts5_source_id', 0, 0, T),
  fn('fts5_insttoken', scalar(1, 1, [argsOf(0)], [ARG_NULL(0)])),
  fn('fts5_locale', scalar(2, 2, [fixed('text', 'blob')], [ARG_NULL(1)])),
  strict('geopoly_area', 1, 1, R, other('not a polygon')),
  strict('geopoly_bbox', 1, 1, B, other('not a polygon')),
  strict('geopoly_blob', 1, 1, B, other('not a polygon')),
  strict('geopoly_ccw', 1, 1, B, other('not a polygon')),
  strict('geopoly_contains_point', 3, 3, I, other('not a polygon')),
  fn(
    'geopoly_group_bbox',
    form('aggregate-no-window', 1, 1, [fixed('blob')], [ARG_NULL(0), EMPTY, other('not a polygon')]),
  ),
  strict('geopoly_json', 1, 1, T, other('not a polygon')),
  strict('geopoly_overlap', 2, 2, I, other('not a polygon')),
  strict('geopoly_regular', 4, 4, B, other('too few sides')),
  fn('geopoly_svg', scalar(0, Infinity, [fixed('text')], [ANY_ARG_NULL, other('not a polygon')])),
  strict('geopoly_within', 2, 2, I, other('not a polygon')),
  strict('geopoly_xform', 7, 7, B, other('not a polygon')),
];

/**
 * Functions `pragma_function_list` reports that the table leaves out, each with its reason; a query
 * calling one gets no function type (the analyzer falls back to an unknown value).
 *
 * @example
 * ```ts
 * EXCLUDED_FUNCTIONS.map((f) => f.name).includes('->'); // true
 * ```
 */
export const EXCLUDED_FUNCTIONS: readonly ExcludedFunction[] = [
  { name: '->', reason: 'the -> operator, typed where operators are typed' },
  { name: '->>', reason: 'the ->> operator, typed where operators are typed' },
  { name: 'load_extension', reason: 'loads a shared library; SQL calls are refused ("not authorized")' },
  { name: 'fts3_tokenizer', reason: 'direct-only FTS3 tokenizer registration, refused unless enabled' },
  { name: 'fts5', reason: 'hands the FTS5 API pointer to C code; not a value function' },
  { name: 'match', reason: 'the MATCH operator of virtual tables; refused elsewhere' },
  { name: 'rtreecheck', reason: 'R-Tree integrity check over a named table; a maintenance command' },
  { name: 'rtreedepth', reason: 'R-Tree debugging over internal node blobs' },
  { name: 'rtreenode', reason: 'R-Tree debugging over internal node blobs' },
  { name: 'geopoly_debug', reason: 'direct-only Geopoly debugging output' },
];
