import type { StorageClass } from './value-type.js';

type Domain = readonly StorageClass[];

const NUMBER: Domain = ['integer', 'real'];
const INTEGER: Domain = ['integer'];
const TEXT: Domain = ['text'];
const TEXT_OR_BLOB: Domain = ['text', 'blob'];
/** A time value: ISO-8601 text, or a Julian day or Unix time number (with the `'unixepoch'` modifier). */
const TIME: Domain = ['integer', 'real', 'text'];

/** By argument position, the classes an argument is defined on; `undefined`: any class. */
type Arguments = (index: number) => Domain | undefined;

const all =
  (domain: Domain): Arguments =>
  () =>
    domain;
const first =
  (domain: Domain, rest?: Domain): Arguments =>
  (i) =>
    i === 0 ? domain : rest;
/** Date functions: a time value, then text modifiers; `strftime` first takes its format. */
const time: Arguments = (i) => (i === 0 ? TIME : TEXT);
/** JSON functions: the JSON text, then paths (`json_set` & co.: pairs of a path and any SQL value). */
const jsonPaths = all(TEXT);
const jsonEdit: Arguments = (i) => (i === 0 ? TEXT : i % 2 === 1 ? TEXT : undefined);

const ARGUMENTS: ReadonlyMap<string, Arguments> = new Map<string, Arguments>([
  ['abs', all(NUMBER)],
  ['sign', all(NUMBER)],
  ['round', first(NUMBER, INTEGER)],
  ['ceil', all(NUMBER)],
  ['ceiling', all(NUMBER)],
  ['floor', all(NUMBER)],
  ['trunc', all(NUMBER)],
  ['exp', all(NUMBER)],
  ['ln', all(NUMBER)],
  ['log', all(NUMBER)],
  ['log10', all(NUMBER)],
  ['log2', all(NUMBER)],
  ['pow', all(NUMBER)],
  ['power', all(NUMBER)],
  ['sqrt', all(NUMBER)],
  ['mod', all(NUMBER)],
  ['atan2', all(NUMBER)],
  ['degrees', all(NUMBER)],
  ['radians', all(NUMBER)],
  ...['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh'].map(
    (name): [string, Arguments] => [name, all(NUMBER)],
  ),
  ['sum', all(NUMBER)],
  ['total', all(NUMBER)],
  ['avg', all(NUMBER)],
  ['char', all(INTEGER)],
  ['randomblob', all(INTEGER)],
  ['zeroblob', all(INTEGER)],
  ['lower', all(TEXT)],
  ['upper', all(TEXT)],
  ['ltrim', all(TEXT)],
  ['rtrim', all(TEXT)],
  ['trim', all(TEXT)],
  ['replace', all(TEXT)],
  ['unicode', all(TEXT)],
  ['soundex', all(TEXT)],
  ['unhex', all(TEXT)],
  ['unistr', all(TEXT)],
  ['like', all(TEXT)],
  ['glob', all(TEXT)],
  ['printf', first(TEXT)],
  ['format', first(TEXT)],
  ['concat_ws', first(TEXT)],
  ['group_concat', (i) => (i === 1 ? TEXT : undefined)],
  ['string_agg', (i) => (i === 1 ? TEXT : undefined)],
  ['length', all(TEXT_OR_BLOB)],
  ['octet_length', all(TEXT_OR_BLOB)],
  ['instr', all(TEXT_OR_BLOB)],
  ['hex', all(TEXT_OR_BLOB)],
  ['substr', first(TEXT_OR_BLOB, INTEGER)],
  ['substring', first(TEXT_OR_BLOB, INTEGER)],
  ['date', time],
  ['time', time],
  ['datetime', time],
  ['julianday', time],
  ['unixepoch', time],
  ['strftime', (i) => (i === 1 ? TIME : TEXT)],
  ['timediff', all(TIME)],
  ['json', all(TEXT)],
  ['jsonb', all(TEXT)],
  ['json_extract', jsonPaths],
  ['jsonb_extract', jsonPaths],
  ['json_type', jsonPaths],
  ['json_array_length', jsonPaths],
  ['json_remove', jsonPaths],
  ['jsonb_remove', jsonPaths],
  ['json_valid', first(TEXT, INTEGER)],
  ['json_error_position', all(TEXT)],
  ['json_patch', all(TEXT)],
  ['jsonb_patch', all(TEXT)],
  ['json_pretty', first(TEXT, TEXT)],
  ['json_set', jsonEdit],
  ['jsonb_set', jsonEdit],
  ['json_insert', jsonEdit],
  ['jsonb_insert', jsonEdit],
  ['json_replace', jsonEdit],
  ['jsonb_replace', jsonEdit],
  ['json_object', (i) => (i % 2 === 0 ? TEXT : undefined)],
  ['jsonb_object', (i) => (i % 2 === 0 ? TEXT : undefined)],
  ['json_group_object', first(TEXT)],
  ['jsonb_group_object', first(TEXT)],
  ['ntile', all(INTEGER)],
  ['nth_value', (i) => (i === 1 ? INTEGER : undefined)],
  ['lag', (i) => (i === 1 ? INTEGER : undefined)],
  ['lead', (i) => (i === 1 ? INTEGER : undefined)],
  ['likelihood', (i) => (i === 1 ? ['real'] : undefined)],
  // Full-text auxiliary functions: the first argument is the table, then a column number, marker
  // texts, a token count (`snippet`) or column weights (`bm25`). FTS3's `snippet` takes its column
  // number where FTS5's takes a marker, so those two positions are left open.
  ['highlight', (i) => (i === 1 ? INTEGER : i > 1 ? TEXT : undefined)],
  ['snippet', (i) => (i === 5 ? INTEGER : i === 2 || i === 3 ? TEXT : undefined)],
  ['bm25', (i) => (i > 0 ? NUMBER : undefined)],
]);

/**
 * The storage classes a built-in function is defined on at one argument, for typing a parameter
 * passed there; `undefined` when the function takes any SQL value at that position (`typeof`, `quote`,
 * `coalesce`, `max`, `json_array`, a value `json_set` inserts) or is not in the table.
 *
 * 1. SQLite converts any value it is given (`abs('x')` is 0.0, `lower(5)` is `'5'`), so these are the
 *    classes the function means, not the only ones it runs on: a typed parameter rules the conversions
 *    out.
 * 2. Numeric functions take integers or reals, text functions text, `length`/`substr`/`instr`/`hex`
 *    text or blobs, counts and positions (`substr`'s start, `round`'s digits, `ntile`) integers.
 * 3. Date functions take a time value (ISO text, or a Julian day or Unix time number) and text
 *    modifiers; JSON functions take JSON text (JSONB blobs are left out) and text paths.
 *
 * @example
 * ```ts
 * functionArgumentType('substr', 0); // ['text', 'blob']
 * functionArgumentType('typeof', 0); // undefined
 * ```
 */
export function functionArgumentType(name: string, index: number): Domain | undefined {
  return ARGUMENTS.get(name.toLowerCase())?.(index);
}
