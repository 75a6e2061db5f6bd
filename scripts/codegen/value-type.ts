/**
 * A SQLite storage class: what `typeof(x)` reports for a value that is not NULL.
 *
 * @example
 * ```ts
 * const s: StorageClass = 'integer';
 * ```
 */
export type StorageClass = 'integer' | 'real' | 'text' | 'blob';

/**
 * What the analysis knows about one SQL value, in SQLite's terms rather than TypeScript's: the storage
 * classes a non-NULL value can have and whether it can be NULL. Only the renderer turns this into
 * TypeScript text, so the analysis never reasons about `'number | string'`.
 *
 * `storage: 'any'` means SQLite's result is genuinely dynamic (a column without a declared type, a JSON
 * extraction); `storage: []` with `nullable: true` is the NULL literal.
 *
 * @example
 * ```ts
 * const count: ValueType = { storage: ['integer'], nullable: false };
 * const name: ValueType = { storage: ['text'], nullable: true };
 * ```
 */
export interface ValueType {
  readonly storage: 'any' | readonly StorageClass[];
  readonly nullable: boolean;
}

/**
 * A value nothing is known about: any storage class, possibly NULL.
 *
 * @example
 * ```ts
 * const t = resolved ?? ANY_VALUE;
 * ```
 */
export const ANY_VALUE: ValueType = { storage: 'any', nullable: true };

/**
 * How a value is represented in generated code where `sqlc.yaml` overrides its column (or its
 * declared type):
 *
 * 1. `bigint`: INTEGER values exactly, through safe integers.
 * 2. `json`: TEXT decoded with `decode` (`JSON.parse` or a project function's name). `encode` (the
 *    `ts_type: json` spelling) also takes parameters as values and binds them through `JSON.stringify`;
 *    without it (the older `type: json` spelling) parameters stay JSON text.
 * 3. `boolean`: INTEGER 0 or 1 as `false`/`true` (anything else is a decode error); bound as 0/1.
 * 4. `date`: ISO-8601 TEXT as a `Date` (a time without a zone is UTC, as SQLite writes it); bound as
 *    `toISOString()`.
 *
 * @example
 * ```ts
 * const r: Representation = { kind: 'json', decode: 'JSON.parse' };
 * ```
 */
export type Representation =
  | { readonly kind: 'bigint' }
  | { readonly kind: 'json'; readonly decode: string; readonly encode?: true }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'date' };

/**
 * The storage class a {@link Representation} reads: `integer` for `bigint` and `boolean`, `text` for
 * `json` and `date`.
 *
 * @example
 * ```ts
 * representationStorage({ kind: 'boolean' }); // 'integer'
 * ```
 */
export function representationStorage(r: Representation): StorageClass {
  return r.kind === 'bigint' || r.kind === 'boolean' ? 'integer' : 'text';
}

/**
 * A {@link ValueType} with what the analysis learns besides storage and nullability.
 *
 * 1. `enumValues`: the only text values a `CHECK (x IN ('a', 'b'))` column admits (text storage only).
 * 2. `origin`: the schema column the value is read from unaltered; absent for an expression.
 * 3. `representation`: the `sqlc.yaml` override that applies to that column.
 * 4. `checked`: SQLite does not guarantee the storage classes (a typed column of a table that is not
 *    STRICT, an override narrowing an untyped column, or an expression passing such a value on), so
 *    the generated mapper checks each value and throws `DbDecodeError` on one that breaks the type.
 *    Set conservatively: a value read from a column carries it unless the table is STRICT.
 *
 * @example
 * ```ts
 * const status: AnalyzedType = { storage: ['text'], nullable: false, enumValues: ['Running', 'Stopped'], origin: { table: 'run', column: 'status' } };
 * ```
 */
export interface AnalyzedType extends ValueType {
  readonly enumValues?: readonly string[];
  readonly origin?: { readonly table: string; readonly column: string };
  readonly representation?: Representation;
  readonly checked?: true;
}

/**
 * The storage classes a declared column type gives (STRICT names, then SQLite's affinity rules):
 * `INTEGER` → integer, `REAL` → real, `TEXT` → text, `BLOB` → blob; `ANY`, no type and NUMERIC affinity
 * (which keeps text that does not look like a number) → `any`.
 *
 * @example
 * ```ts
 * storageOfDeclared('VARCHAR(20)'); // ['text']
 * ```
 */
export function storageOfDeclared(declared: string): ValueType['storage'] {
  const t = declared.toUpperCase();
  if (t === 'ANY' || t === '') return 'any';
  if (t.includes('INT')) return ['integer'];
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return ['text'];
  if (t.includes('BLOB')) return ['blob'];
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return ['real'];
  return 'any';
}

const STORAGE_ORDER: readonly StorageClass[] = ['integer', 'real', 'text', 'blob'];

/**
 * The type of a value that is either `a` or `b` (UNION branches, CASE results, `max(a, b)`): storage
 * classes joined (`any` absorbs), nullable if either is; enum values survive only when both sides are
 * enums (merged, sorted) or NULL; origin and representation only when both agree; checked if either is.
 *
 * @example
 * ```ts
 * unionType({ storage: ['integer'], nullable: false }, { storage: ['text'], nullable: true }); // integer | text, nullable
 * ```
 */
export function unionType(a: AnalyzedType, b: AnalyzedType): AnalyzedType {
  const nullable = a.nullable || b.nullable;
  if (a.storage !== 'any' && a.storage.length === 0) return { ...b, nullable };
  if (b.storage !== 'any' && b.storage.length === 0) return { ...a, nullable };
  const storage =
    a.storage === 'any' || b.storage === 'any'
      ? 'any'
      : STORAGE_ORDER.filter((s) => a.storage.includes(s) || b.storage.includes(s));
  const enumValues = unionEnums(a, b);
  const origin =
    a.origin !== undefined && a.origin.table === b.origin?.table && a.origin.column === b.origin.column
      ? a.origin
      : undefined;
  const representation = sameRepresentation(a.representation, b.representation)
    ? a.representation
    : undefined;
  return {
    storage,
    nullable,
    ...(enumValues === undefined ? {} : { enumValues }),
    ...(origin === undefined ? {} : { origin }),
    ...(representation === undefined ? {} : { representation }),
    ...(a.checked || b.checked ? { checked: true as const } : {}),
  };
}

/**
 * Whether two types describe the same values the same way (storage, nullability, enum values,
 * representation and whether they are checked; the origin is where a value came from, not what it is).
 *
 * @example
 * ```ts
 * sameType(columnType(catalog, overrides, 'run', 'id'), field.type);
 * ```
 */
export function sameType(a: AnalyzedType, b: AnalyzedType): boolean {
  const storage =
    a.storage === 'any' || b.storage === 'any' ? a.storage === b.storage : sameList(a.storage, b.storage);
  const enums =
    a.enumValues === undefined || b.enumValues === undefined
      ? a.enumValues === b.enumValues
      : sameList(a.enumValues, b.enumValues);
  return (
    storage &&
    enums &&
    a.nullable === b.nullable &&
    a.checked === b.checked &&
    sameRepresentation(a.representation, b.representation)
  );
}

/**
 * Whether a type is known to be numeric: some storage classes, all of them integer or real.
 *
 * @example
 * ```ts
 * isNumeric({ storage: ['integer', 'real'], nullable: false }); // true
 * ```
 */
export function isNumeric(t: ValueType): boolean {
  return (
    t.storage !== 'any' && t.storage.length > 0 && t.storage.every((s) => s === 'integer' || s === 'real')
  );
}

/** Text values of `a | b`: only while every text value of both sides is an enum value. */
function unionEnums(a: AnalyzedType, b: AnalyzedType): readonly string[] | undefined {
  if (a.storage === 'any' || b.storage === 'any') return undefined;
  const aText = a.storage.includes('text');
  const bText = b.storage.includes('text');
  if (aText && bText) {
    if (a.enumValues === undefined || b.enumValues === undefined) return undefined;
    if (sameList(a.enumValues, b.enumValues) && sameList(a.storage, b.storage)) return a.enumValues;
    return [...new Set([...a.enumValues, ...b.enumValues])].sort();
  }
  const only = aText ? a.enumValues : bText ? b.enumValues : undefined;
  return only === undefined ? undefined : [...only].sort();
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Whether two values carry the same override representation (both none, or the same kind and codec).
 *
 * @example
 * ```ts
 * sameRepresentation({ kind: 'boolean' }, { kind: 'boolean' }); // true
 * ```
 */
export function sameRepresentation(a: Representation | undefined, b: Representation | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind === 'json') return b.kind === 'json' && a.decode === b.decode && a.encode === b.encode;
  return a.kind === b.kind;
}
