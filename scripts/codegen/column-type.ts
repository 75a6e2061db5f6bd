import type { ColumnOverride } from './codegen-config.js';
import type { SchemaCatalog } from './schema-catalog.js';
import { ANY_VALUE, type AnalyzedType, type Representation, storageOfDeclared } from './value-type.js';

/**
 * The type of a schema column as a query reads it; the one place that decides it, for the syntax
 * tree's column references and for columns only SQLite could follow.
 *
 * 1. Storage classes from the declared type; a `CHECK (x IN (...))` text column lists its values.
 * 2. Nullable unless SQLite guarantees a value (`NOT NULL`, a rowid alias, a STRICT primary key).
 * 3. A `sqlc.yaml` override sets the representation (`bigint`, or `json` with its decoder).
 * 4. A column the schema does not have is {@link ANY_VALUE}.
 *
 * @example
 * ```ts
 * columnType(catalog, new Map(), 'run', 'status'); // { storage: ['text'], nullable: false, enumValues: ['Running', 'Terminated'], origin: … }
 * ```
 */
export function columnType(
  catalog: SchemaCatalog,
  overrides: ReadonlyMap<string, ColumnOverride>,
  table: string,
  column: string,
): AnalyzedType {
  const c = catalog.column(table, column);
  if (c === undefined) return ANY_VALUE;
  const override = overrides.get(`${c.table}.${c.name}`.toLowerCase());
  const representation: Representation | undefined =
    override?.type === 'bigint'
      ? { kind: 'bigint' }
      : override?.type === 'json'
        ? { kind: 'json', decode: override.decode?.name ?? 'JSON.parse' }
        : undefined;
  return {
    storage: storageOfDeclared(c.type),
    nullable: !c.notNull,
    ...(c.enumValues === undefined || representation?.kind === 'bigint' ? {} : { enumValues: c.enumValues }),
    origin: { table: c.table, column: c.name },
    ...(representation === undefined ? {} : { representation }),
  };
}
