import { basename } from 'node:path';
import type { CodegenConfig, ColumnOverride, OverrideType, TypeOverride } from './codegen-config.js';
import { CodegenError } from './codegen-error.js';
import { compareDiagnostics, type Diagnostic } from './diagnostic.js';
import type { CatalogColumn, SchemaCatalog } from './schema-catalog.js';
import { type StorageClass, storageOfDeclared } from './value-type.js';

/**
 * The override of every schema column some `sqlc.yaml` entry applies to, keyed `table.column`
 * (lower-cased): `column` entries first, then `db_type` entries on the columns left (sqlc's
 * precedence). Every problem is one `CODEGEN_CONFIG` {@link CodegenError} at the entry:
 *
 * 1. A `column` entry must name a column of the schema (a table, not a view).
 * 2. The type must fit the declared type (`type bigint applies to INTEGER columns, and a.b is TEXT`): `bigint` and `boolean` an INTEGER column, `json`, `Date`
 *    and `string` a TEXT one, `number` INTEGER or REAL; a column whose declared type has no fixed
 *    storage (`ANY`, none, NUMERIC affinity: `TIMESTAMP`, `BOOLEAN`, `JSONB`…) takes any of them.
 * 3. A `db_type` entry is checked against the type it names, whether or not a column has it (sqlc
 *    does not require one either).
 *
 * @example
 * ```ts
 * const overrides = resolveOverrides(config, catalog);
 * overrides.get('event.at')?.type; // 'Date'
 * ```
 */
export function resolveOverrides(config: CodegenConfig, catalog: SchemaCatalog): Map<string, ColumnOverride> {
  const problems: Diagnostic[] = [];
  const problem = (o: TypeOverride, message: string): void => {
    problems.push({
      path: basename(config.configPath),
      ...(o.at ?? { line: 1, col: 1 }),
      message: `options.overrides: ${o.column ?? `db_type ${o.dbType?.toLowerCase()}`}: ${message}`,
    });
  };
  const resolved = new Map<string, ColumnOverride>();
  const applied = (o: TypeOverride, c: CatalogColumn): ColumnOverride => ({
    column: `${c.table}.${c.name}`,
    type: o.type,
    ...(o.decode === undefined ? {} : { decode: o.decode }),
    ...(o.legacy === undefined ? {} : { legacy: o.legacy }),
    ...(o.at === undefined ? {} : { at: o.at }),
  });
  for (const o of config.overrides) {
    if (o.column === undefined) continue;
    const [table = '', column = ''] = o.column.split('.');
    const t = catalog.table(table);
    const c = t?.kind === 'table' ? catalog.column(table, column) : undefined;
    if (t === undefined) problem(o, `the schema has no table ${table}`);
    else if (t.kind === 'view') problem(o, `${table} is a view; override the column of its table`);
    else if (c === undefined) problem(o, `table ${table} has no column ${column}`);
    else {
      const misfit = misfitOf(o.type, c.type);
      if (misfit !== undefined) problem(o, `${misfit}, and ${o.column} is ${c.type || 'untyped'}`);
      else resolved.set(o.column.toLowerCase(), applied(o, c));
    }
  }
  const byType = config.overrides.filter((o) => o.dbType !== undefined);
  for (const o of byType) {
    const misfit = misfitOf(o.type, o.dbType ?? '');
    if (misfit !== undefined) problem(o, `${misfit}, not ${o.dbType?.toLowerCase()} ones`);
  }
  if (problems.length > 0) throw new CodegenError('CODEGEN_CONFIG', problems.sort(compareDiagnostics));
  for (const t of catalog.tables()) {
    if (t.kind !== 'table') continue;
    for (const c of t.columns) {
      const key = `${c.table}.${c.name}`.toLowerCase();
      if (resolved.has(key)) continue;
      // The first matching entry wins, as the first matching override does in sqlc.
      const o = byType.find((e) => e.nullable === !c.notNull && sameDbType(e.dbType ?? '', c.type));
      if (o !== undefined) resolved.set(key, applied(o, c));
    }
  }
  return resolved;
}

/** `timestamp` matches `TIMESTAMP` and, written without a size, `VARCHAR(20)` matches `varchar`. */
function sameDbType(given: string, declared: string): boolean {
  return given === declared || (!given.includes('(') && given === declared.replace(/\s*\(.*$/, ''));
}

const NEEDS: Readonly<Record<OverrideType, readonly StorageClass[]>> = {
  bigint: ['integer'],
  boolean: ['integer'],
  json: ['text'],
  Date: ['text'],
  string: ['text'],
  number: ['integer', 'real'],
};

/** Why type `type` does not fit a column declared `declared`, or `undefined` when it does. */
function misfitOf(type: OverrideType, declared: string): string | undefined {
  const storage = storageOfDeclared(declared);
  const needs = NEEDS[type];
  if (storage === 'any' || needs.some((s) => storage.includes(s))) return undefined;
  return `type ${type} applies to ${needs.map((s) => s.toUpperCase()).join(' or ')} columns`;
}
