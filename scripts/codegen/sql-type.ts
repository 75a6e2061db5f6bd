/**
 * The TypeScript view of one SQL value: the type text, whether it can be `null`, and whether SQLite
 * stores it as an INTEGER (so safe-integer mode returns a `bigint` the generated code converts).
 *
 * @example
 * ```ts
 * const t: SqlType = { ts: 'number', nullable: false, integer: true };
 * ```
 */
export interface SqlType {
  readonly ts: string;
  readonly nullable: boolean;
  readonly integer: boolean;
  /** For a `json` override column read as is: `JSON.parse` or the configured decoder's name. */
  readonly decode?: string;
}

/**
 * A type nothing is known about: `unknown`, nullable.
 *
 * @example
 * ```ts
 * const t = resolved ?? UNKNOWN;
 * ```
 */
export const UNKNOWN: SqlType = { ts: 'unknown', nullable: true, integer: false };

/**
 * The TypeScript type of a declared SQLite column type (STRICT names, then SQLite's affinity rules).
 *
 * @example
 * ```ts
 * tsOfDeclared('INTEGER'); // { ts: 'number', integer: true }
 * ```
 */
export function tsOfDeclared(declared: string): { ts: string; integer: boolean } {
  const t = declared.toUpperCase();
  if (t === 'ANY' || t === '') return { ts: 'unknown', integer: false };
  if (t.includes('INT')) return { ts: 'number', integer: true };
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return { ts: 'string', integer: false };
  if (t.includes('BLOB')) return { ts: 'Buffer', integer: false };
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return { ts: 'number', integer: false };
  // NUMERIC affinity keeps text that does not look like a number.
  return { ts: 'unknown', integer: false };
}

/**
 * Joins two TypeScript type texts into a union, deduplicated and sorted. A `null` member (the type of
 * a NULL literal) is dropped next to any other member: nullability travels in {@link SqlType.nullable},
 * and keeping it here would render `null | string | null`.
 *
 * @example
 * ```ts
 * unionTs('number', 'string'); // 'number | string'
 * unionTs('null', 'string'); // 'string'
 * ```
 */
export function unionTs(a: string, b: string): string {
  if (a === b) return a;
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  let parts = [...new Set([...a.split(' | '), ...b.split(' | ')])];
  if (parts.length > 1) parts = parts.filter((p) => p !== 'null');
  // A literal union widened by its base type is just the base type.
  if (parts.includes('string')) parts = parts.filter((p) => !p.startsWith("'"));
  return parts.sort().join(' | ');
}

/**
 * The type text of a value that may also be `null`: members deduplicated in their order, `null` once
 * and last. `unknown` already admits `null` and stays as it is.
 *
 * @example
 * ```ts
 * orNull('null | string', true); // 'string | null'
 * orNull('number', false); // 'number'
 * ```
 */
export function orNull(ts: string, nullable: boolean): string {
  const parts = [...new Set(ts.split(' | '))];
  if (parts.includes('unknown')) return 'unknown';
  const members = parts.filter((p) => p !== 'null');
  if (members.length === 0) return 'null';
  return nullable || members.length < parts.length ? [...members, 'null'].join(' | ') : members.join(' | ');
}
