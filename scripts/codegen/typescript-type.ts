import type { AnalyzedType } from './value-type.js';

/**
 * The TypeScript text of a value's non-NULL values, as the renderer prints it: integer and real →
 * `number` (`bigint` under a `bigint` override), text → `string` or the union of its enum literals,
 * blob → `Buffer`; `any` storage → `unknown`. Enum literals come first in their order, then the other
 * members sorted.
 *
 * @example
 * ```ts
 * tsText({ storage: ['integer', 'text'], nullable: true }); // 'number | string'
 * ```
 */
export function tsText(t: AnalyzedType): string {
  if (t.storage === 'any' || t.storage.length === 0) return 'unknown';
  const literals: string[] = [];
  const others = new Set<string>();
  for (const s of t.storage) {
    if (s === 'text' && t.enumValues !== undefined) {
      for (const v of t.enumValues) literals.push(`'${v.replaceAll("'", "\\'")}'`);
    } else if (s === 'text') others.add('string');
    else if (s === 'blob') others.add('Buffer');
    else if (s === 'integer' && t.representation?.kind === 'bigint') others.add('bigint');
    else others.add('number');
  }
  return [...literals, ...[...others].sort()].join(' | ');
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
