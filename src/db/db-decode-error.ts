/** How many characters of an offending value the error keeps. */
const SHOWN_LENGTH = 60;

/**
 * Thrown by generated query code when a value read from the database does not have the type the
 * generated row declares: text in an INTEGER column of a table that is not STRICT, `2` where a
 * `boolean` override wants 0 or 1, text that is not a date or not JSON. Nothing is returned for the
 * row; the statement itself succeeded.
 *
 * `query` is the query's name (`ListEvents`), `column` the result column (`event.at`, or the field
 * name of an expression), `value` a short description of what was read (its kind and its start,
 * at most 60 characters), `expected` what the row type wanted.
 *
 * @example
 * ```ts
 * try {
 *   listEvents(pools.read);
 * } catch (err) {
 *   if (err instanceof DbDecodeError) console.error(err.code, err.query, err.column, err.value);
 *   throw err;
 * }
 * ```
 */
export class DbDecodeError extends Error {
  override readonly name = 'DbDecodeError';
  readonly code = 'DB_DECODE';
  readonly query: string;
  readonly column: string;
  readonly value: string;
  readonly expected: string;

  constructor(query: string, column: string, expected: string, value: unknown, cause?: unknown) {
    const shown = describeValue(value);
    const why = cause instanceof Error ? ` (${cause.message})` : '';
    super(`${query}: column ${column} holds ${shown}, not ${expected}${why}`, { cause });
    this.query = query;
    this.column = column;
    this.value = shown;
    this.expected = expected;
  }
}

/** `text 'abc'`, `integer 2`, `real 1.5`, `blob of 4 bytes`, `null`; long text cut with `…`. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    const cut = value.length > SHOWN_LENGTH ? `${value.slice(0, SHOWN_LENGTH)}…` : value;
    return `text ${JSON.stringify(cut)}`;
  }
  if (typeof value === 'bigint') return `integer ${value}`;
  if (typeof value === 'number') return `${Number.isInteger(value) ? 'integer' : 'real'} ${value}`;
  if (Buffer.isBuffer(value)) return `blob of ${value.length} bytes`;
  return typeof value;
}
