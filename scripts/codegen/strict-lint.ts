import { join, relative } from 'node:path';
import type { CodegenConfig, ColumnOverride } from './codegen-config.js';
import type { Diagnostic } from './diagnostic.js';
import type { CatalogColumn, CatalogTable, SchemaCatalog } from './schema-catalog.js';
import type { SchemaTexts } from './schema-texts.js';
import { storageOfDeclared } from './value-type.js';

/**
 * `options.strict_lint`: one warning per table that is not STRICT and has a column whose declared
 * type SQLite does not enforce (so generated code checks every value read from it), at the table's
 * last `CREATE TABLE` in the schema files. The warning lists the types STRICT would give its columns
 * (it accepts only INTEGER, REAL, TEXT, BLOB and ANY; an override's type picks TEXT or INTEGER for
 * `TIMESTAMP`, `BOOLEAN`…) and the migration that recreates the table, which SQLite requires (a table
 * cannot be made STRICT in place).
 *
 * @example
 * ```ts
 * if (config.strictLint) warnings.push(...strictLintWarnings(config, catalog, overrides, schemaTexts));
 * ```
 */
export function strictLintWarnings(
  config: CodegenConfig,
  catalog: SchemaCatalog,
  overrides: ReadonlyMap<string, ColumnOverride>,
  schemaTexts: SchemaTexts,
): Diagnostic[] {
  const warnings: Diagnostic[] = [];
  // The catalog was built from these texts, so none of them is a read error here.
  const texts = [...schemaTexts].flatMap(([file, text]) =>
    text instanceof Error
      ? []
      : [{ path: relative(config.rootDir, join(config.schemaDir, file)).split('\\').join('/'), text }],
  );
  for (const table of catalog.tables()) {
    if (table.kind !== 'table' || table.strict) continue;
    const checked = table.columns.filter(
      (c) =>
        !c.strict &&
        (storageOfDeclared(c.type) !== 'any' || overrides.has(`${c.table}.${c.name}`.toLowerCase())),
    );
    if (checked.length === 0) continue;
    const at = createAt(texts, table.name) ?? { path: catalog.dir, line: 1, col: 1 };
    const types = table.columns.map((c) => `${c.name} ${storageOf(c, overrides)}`).join(', ');
    warnings.push({
      ...at,
      severity: 'warning',
      message: `table ${table.name} is not STRICT, so SQLite keeps any value in ${checked.map((c) => `${c.name} ${c.type}`).join(', ')} and the generated code checks each one it reads; to make it STRICT, add a migration that recreates it: ${recreate(table, types)}`,
    });
  }
  return warnings;
}

/** The STRICT type a column would get: its storage class, its override's, or ANY. */
function storageOf(c: CatalogColumn, overrides: ReadonlyMap<string, ColumnOverride>): string {
  const declared = storageOfDeclared(c.type);
  if (declared !== 'any') return declared.length === 1 ? (declared[0] ?? 'any').toUpperCase() : 'ANY';
  const o = overrides.get(`${c.table}.${c.name}`.toLowerCase());
  if (o === undefined) return 'ANY';
  if (o.type === 'bigint' || o.type === 'boolean') return 'INTEGER';
  if (o.type === 'number') return 'ANY';
  return 'TEXT';
}

function recreate(table: CatalogTable, types: string): string {
  const name = table.name;
  return `CREATE TABLE ${name}_new (${types}, …constraints as before) STRICT; INSERT INTO ${name}_new SELECT * FROM ${name}; DROP TABLE ${name}; ALTER TABLE ${name}_new RENAME TO ${name}; then recreate its indexes and triggers (the INSERT fails on a value STRICT refuses)`;
}

/** Where the last `CREATE TABLE name` of the schema files is (1-based). */
function createAt(
  texts: readonly { path: string; text: string }[],
  name: string,
): { path: string; line: number; col: number } | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const create = new RegExp(
    `CREATE\\s+(?:TEMP\\w*\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(?:main\\.)?["\`[]?${escaped}["\`\\]]?\\s*\\(`,
    'gi',
  );
  let found: { path: string; line: number; col: number } | undefined;
  for (const { path, text } of texts) {
    for (const m of text.matchAll(create)) {
      const before = text.slice(0, m.index);
      const line = before.split('\n').length;
      found = { path, line, col: m.index - before.lastIndexOf('\n') };
    }
  }
  return found;
}
