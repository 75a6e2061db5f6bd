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
