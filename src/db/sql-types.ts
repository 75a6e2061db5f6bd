/**
 * A value SQLite can bind or return through better-sqlite3.
 *
 * @example
 * ```ts
 * const value: SqlValue = Buffer.from('blob');
 * ```
 */
export type SqlValue = number | bigint | string | Uint8Array | null;

/**
 * Parameters of a statement: named ones keyed by the name without its `@`, `:` or `$` prefix (a
 * `?NNN` by its number), or the values of its `?`s in order.
 *
 * @example
 * ```ts
 * const params: BindParams = { sandbox_id: 7, status: 'Running' };
 * const positional: BindParams = [7, 'Running'];
 * ```
 */
export type BindParams = Readonly<Record<string, SqlValue>> | readonly SqlValue[];

/**
 * How rows come back from a cached statement:
 * - `object`: one object per row keyed by column name;
 * - `raw`: one array per row, in column order (no per-row key lookups);
 * - `pluck`: the first column's value only.
 *
 * The `-bigint` variants return every INTEGER as a `bigint` (better-sqlite3's `safeIntegers`).
 *
 * @example
 * ```ts
 * const ids = conn.all<number>('SELECT id FROM sandbox', undefined, 'pluck');
 * ```
 */
export type RowMode = 'object' | 'raw' | 'pluck' | 'object-bigint' | 'raw-bigint' | 'pluck-bigint';

/**
 * What a write statement reports.
 *
 * @example
 * ```ts
 * const { changes } = tx.run('DELETE FROM sandbox WHERE id = @id', { id });
 * ```
 */
export interface RunResult {
  readonly changes: number;
  readonly lastInsertRowid: number | bigint;
}
