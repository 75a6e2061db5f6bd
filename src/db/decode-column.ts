import { DbDecodeError } from './db-decode-error.js';

/**
 * Throws the {@link DbDecodeError} of a value that breaks its declared type. Generated mappers call
 * it in the failing branch of an inline check, so the passing path allocates nothing.
 *
 * @example
 * ```ts
 * const code = typeof r[1] === 'string' ? r[1] : decodeFailed(r[1], 'ListLegacy', 'legacy.code', 'string');
 * ```
 */
export function decodeFailed(value: unknown, query: string, column: string, expected: string): never {
  throw new DbDecodeError(query, column, expected, value);
}

/**
 * Parses a JSON text value (a number is read as the JSON number it was: a column declared JSON or
 * JSONB has NUMERIC affinity, so SQLite stores the text `3` as 3). A BLOB is refused: it is SQLite's
 * binary JSONB (or not JSON at all), which only SQLite reads; select `json(col)` to get text. Invalid
 * JSON is a {@link DbDecodeError}.
 *
 * @example
 * ```ts
 * const meta = decodeJson(r[2], 'GetBag', 'bag.meta');
 * ```
 */
export function decodeJson(value: unknown, query: string, column: string): unknown {
  return decodeJsonWith(value, parseJson, query, column);
}

/**
 * Decodes a JSON text value with a project decoder (`(text: string) => T`); anything it throws
 * becomes the `cause` of a {@link DbDecodeError}.
 *
 * @example
 * ```ts
 * const labels = decodeJsonWith(r[1], parseLabels, 'GetBag', 'bag.labels');
 * ```
 */
export function decodeJsonWith<T>(
  value: unknown,
  decode: (text: string) => T,
  query: string,
  column: string,
): T {
  // JSON and JSONB columns have NUMERIC affinity: SQLite stores JSON text that is a number ('3') as
  // that number, whose text is the same JSON value.
  const text = typeof value === 'number' || typeof value === 'bigint' ? String(value) : value;
  if (typeof text !== 'string') {
    throw new DbDecodeError(
      query,
      column,
      Buffer.isBuffer(value) ? 'JSON text (a BLOB is binary JSONB: select json(column))' : 'JSON text',
      value,
    );
  }
  try {
    return decode(text);
  } catch (err) {
    throw new DbDecodeError(query, column, 'JSON text', value, err);
  }
}

// 2024-05-01, 2024-05-01 10:00, 2024-05-01T10:00:00.123, each optionally with Z or ±hh:mm.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Reads ISO-8601 text as a `Date`. A time without a zone is UTC, as SQLite's `datetime()` and
 * `CURRENT_TIMESTAMP` write it; a number (unix time) or any other text is a {@link DbDecodeError}.
 *
 * @example
 * ```ts
 * const at = decodeDate(r[3], 'ListEvents', 'event.at');
 * ```
 */
export function decodeDate(value: unknown, query: string, column: string): Date {
  const m = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  if (m === null || typeof value !== 'string')
    return decodeFailed(value, query, column, 'ISO-8601 date text');
  const iso = value.length === 10 ? value : value.replace(' ', 'T');
  const date = new Date(m[1] === undefined && value.length > 10 ? `${iso}Z` : iso);
  if (Number.isNaN(date.getTime())) return decodeFailed(value, query, column, 'ISO-8601 date text');
  return date;
}

function parseJson(text: string): unknown {
  return JSON.parse(text);
}
