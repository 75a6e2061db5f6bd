import type { QueryBlock } from './query-block.js';
import type { SqlType } from './sql-type.js';

/**
 * One result column as the generated row interface exposes it.
 *
 * @example
 * ```ts
 * const f: ResultField = { index: 0, field: 'sandboxId', type: { ts: 'number', nullable: false, integer: true } };
 * ```
 */
export interface ResultField {
  /** Position in the raw row. */
  readonly index: number;
  /** The camelCase property name. */
  readonly field: string;
  readonly type: SqlType;
}

/**
 * One named parameter as the generated `Params` interface exposes it.
 *
 * @example
 * ```ts
 * const p: ParamField = { name: 'ids', field: 'ids', type: { ts: 'number', nullable: false, integer: true }, array: true };
 * ```
 */
export interface ParamField {
  /** The bind key: the SQL name without its `@`, `:` or `$`. */
  readonly name: string;
  readonly field: string;
  readonly type: SqlType;
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
