import type { EmbeddedRow, ResultField } from './analyzed-query.js';
import type { ColumnOverride } from './codegen-config.js';
import { columnType } from './column-type.js';
import type { SchemaCatalog } from './schema-catalog.js';
import { type AnalyzedType, sameType } from './value-type.js';

/**
 * The {@link EmbeddedRow} of a `sqlc.embed(table)` from the types the query gives its columns, or why
 * there is none: the field holds the table's shared row, so every column must have its schema type
 * (a table on the optional side of an outer join has nullable columns, and no shared row says so).
 *
 * @example
 * ```ts
 * const e = embeddedRow('owner', 'owner', [{ index: 0, type }], catalog, new Map(), camelCase);
 * ```
 */
export function embeddedRow(
  field: string,
  table: string,
  columns: readonly { index: number; type: AnalyzedType }[],
  catalog: SchemaCatalog,
  overrides: ReadonlyMap<string, ColumnOverride>,
  fieldName: (sqlName: string) => string,
): { row: EmbeddedRow } | { problem: string } {
  const schema = catalog.table(table)?.columns ?? [];
  const fields: ResultField[] = [];
  for (const [i, col] of schema.entries()) {
    const c = columns[i];
    if (c === undefined) return { problem: 'SQLite returned fewer columns than the table has' };
    const want = columnType(catalog, overrides, table, col.name);
    if (want.nullable !== c.type.nullable && c.type.nullable) {
      return {
        problem: `column ${col.name} can be NULL here though the table declares it NOT NULL (an outer join?); select the columns one by one instead`,
      };
    }
    if (!sameType({ ...want, nullable: c.type.nullable }, c.type)) {
      return { problem: `column ${col.name} is not returned as the table declares it` };
    }
    fields.push({ index: c.index, field: fieldName(col.name), type: want });
  }
  return { row: { field, table, index: columns[0]?.index ?? 0, fields } };
}
