import type { ColumnOverride } from './codegen-config.js';
import type { SchemaCatalog } from './schema-catalog.js';
import { type SqlType, tsOfDeclared, UNKNOWN } from './sql-type.js';

/**
 * The type of a schema column as a query returns it: the declared type (a `CHECK (x IN (...))` union
 * for text enums), `bigint` or a `json` decoder where `sqlc.yaml` overrides it, nullable unless SQLite
 * guarantees a value.
 *
 * @example
 * ```ts
 * columnType(catalog, new Map(), 'run', 'status'); // { ts: "'Running' | 'Terminated'", nullable: false, integer: false }
 * ```
 */
export function columnType(
  catalog: SchemaCatalog,
  overrides: ReadonlyMap<string, ColumnOverride>,
  table: string,
  column: string,
): SqlType {
  const c = catalog.column(table, column);
  if (c === undefined) return UNKNOWN;
  const base = tsOfDeclared(c.type);
  let ts = base.ts;
  const override = overrides.get(`${c.table}.${c.name}`.toLowerCase());
  if (override?.type === 'bigint') ts = 'bigint';
  else if (c.enumValues !== undefined)
    ts = c.enumValues.map((v) => `'${v.replaceAll("'", "\\'")}'`).join(' | ');
  if (override?.type === 'json') {
    return { ts, nullable: !c.notNull, integer: base.integer, decode: override.decode?.name ?? 'JSON.parse' };
  }
  return { ts, nullable: !c.notNull, integer: base.integer };
}
