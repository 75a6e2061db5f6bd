import type { ColumnOverride } from './codegen-config.js';
import type { SchemaCatalog } from './schema-catalog.js';
import {
  ANY_VALUE,
  type AnalyzedType,
  type Representation,
  representationStorage,
  type StorageClass,
  storageOfDeclared,
} from './value-type.js';

/**
 * The type of a schema column as a query reads it; the one place that decides it, for the syntax
 * tree's column references and for columns only SQLite could follow.
 *
 * 1. Storage classes from the declared type; a `CHECK (x IN (...))` text column lists its values.
 * 2. Nullable unless SQLite guarantees a value (`NOT NULL`, a rowid alias, a STRICT primary key).
 * 3. A `sqlc.yaml` override sets the representation (`bigint`, `json` with its decoder, `boolean`,
 *    `Date`) or, for `string`/`number`, the storage; on a column without a fixed storage class
 *    (`TIMESTAMP`, `BOOLEAN`, `ANY`…) it also narrows the storage to what the override reads.
 * 4. `checked` unless SQLite guarantees the storage: the table is STRICT and no override narrowed it.
 * 5. A column the schema does not have is {@link ANY_VALUE}.
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
        ? {
            kind: 'json',
            decode: override.decode?.name ?? 'JSON.parse',
            ...(override.legacy === true ? {} : { encode: true as const }),
          }
        : override?.type === 'boolean'
          ? { kind: 'boolean' }
          : override?.type === 'Date'
            ? { kind: 'date' }
            : undefined;
  const declared = storageOfDeclared(c.type);
  const wanted: readonly StorageClass[] | undefined =
    representation !== undefined
      ? [representationStorage(representation)]
      : override?.type === 'string'
        ? ['text']
        : override?.type === 'number'
          ? ['integer', 'real']
          : undefined;
  // An override narrows an untyped column to what it reads; on a typed one it keeps the declared
  // storage (a `number` override of an INTEGER column stays integer).
  const storage =
    wanted === undefined
      ? declared
      : declared === 'any'
        ? wanted
        : declared.filter((s) => wanted.includes(s)).length > 0
          ? declared.filter((s) => wanted.includes(s))
          : wanted;
  const checked = storage !== 'any' && (!c.strict || declared === 'any');
  return {
    storage,
    nullable: !c.notNull,
    ...(c.enumValues === undefined || representation !== undefined ? {} : { enumValues: c.enumValues }),
    origin: { table: c.table, column: c.name },
    ...(representation === undefined ? {} : { representation }),
    ...(checked ? { checked: true as const } : {}),
  };
}
