import type { QueryBlock } from './query-block.js';
import type { AnalyzedType } from './value-type.js';

/**
 * One result column as the generated row interface exposes it.
 *
 * @example
 * ```ts
 * const f: ResultField = { index: 0, field: 'sandboxId', type: { storage: ['integer'], nullable: false } };
 * ```
 */
export interface ResultField {
  /** Position in the raw row. */
  readonly index: number;
  /** The camelCase property name. */
  readonly field: string;
  readonly type: AnalyzedType;
  /** The TypeScript type an `AS "c: Type"` alias asks for; only the renderer reads it. */
  readonly tsOverride?: string;
}

/**
 * How the generated function passes one parameter to SQLite: by name (`@name`, `:name`, `$name`,
 * and `?NNN` whose better-sqlite3 key is `NNN`), or at its place in the positional list of `?`s.
 *
 * @example
 * ```ts
 * const b: ParamBinding = { kind: 'position', index: 2 };
 * ```
 */
export type ParamBinding =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'position'; readonly index: number };

/**
 * One parameter as the generated `Params` interface exposes it.
 *
 * @example
 * ```ts
 * const p: ParamField = { name: 'ids', field: 'ids', type: { storage: ['integer'], nullable: false }, array: true, binding: { kind: 'key', key: 'ids' } };
 * ```
 */
export interface ParamField {
  /** The SQL name without its `@`, `:` or `$`; for `?` and `?NNN`, the name sqlc gives it. */
  readonly name: string;
  readonly field: string;
  /** `storage: 'any'` when no use of the parameter says what it is. */
  readonly type: AnalyzedType;
  readonly binding: ParamBinding;
  /** Bound as `JSON.stringify(value)` for `json_each`. */
  readonly array: boolean;
}

/**
 * A table's whole row nested in a result row, from `sqlc.embed(table)`: one field typed by the table's
 * shared row type.
 *
 * @example
 * ```ts
 * const e: EmbeddedRow = { field: 'owner', table: 'owner', index: 0, fields: [idField, nameField] };
 * ```
 */
export interface EmbeddedRow {
  /** The field of the result row that holds it. */
  readonly field: string;
  readonly table: string;
  /** Position of its first column in the raw row. */
  readonly index: number;
  /** The table's columns, in table order, with their positions in the raw row. */
  readonly fields: readonly ResultField[];
}

/**
 * A query validated by SQLite and typed: the language-neutral input of the renderer.
 *
 * @example
 * ```ts
 * const q: AnalyzedQuery = { block, fields: [], embeds: [], params: [], bigint: false, table: undefined, alwaysRow: false };
 * ```
 */
export interface AnalyzedQuery {
  readonly block: QueryBlock;
  /** Result columns, empty for statements that return no rows; without those of `embeds`. */
  readonly fields: readonly ResultField[];
  /** Tables nested whole with `sqlc.embed`, in result order. */
  readonly embeds: readonly EmbeddedRow[];
  readonly params: readonly ParamField[];
  /** Whether rows are read in safe-integer mode (some column is a configured `bigint`). */
  readonly bigint: boolean;
  /**
   * The table whose whole row, every column in order with its schema type, is the result row
   * (`SELECT * FROM t`, `RETURNING *`): such queries share that table's row type.
   */
  readonly table: string | undefined;
  /**
   * The statement returns a row whenever it succeeds (an `INSERT … VALUES … RETURNING` nothing can
   * skip): a `:one` function returns `Row`, not `Row | undefined`.
   */
  readonly alwaysRow: boolean;
}
