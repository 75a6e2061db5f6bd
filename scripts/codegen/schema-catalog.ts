import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { CodegenError } from './codegen-error.js';
import type { Diagnostic } from './diagnostic.js';
import { readSchemaTexts, type SchemaTexts } from './schema-texts.js';

/**
 * What the schema says about one column.
 *
 * @example
 * ```ts
 * catalog.column('run', 'status')?.enumValues; // ['Running', 'Terminated']
 * ```
 */
export interface CatalogColumn {
  readonly table: string;
  readonly name: string;
  /** Declared type, upper-cased (`INTEGER`, `TEXT`, `` for none). */
  readonly type: string;
  /** True only when SQLite guarantees a value: `NOT NULL`, a rowid alias, or a STRICT primary key. */
  readonly notNull: boolean;
  /** The values of a `CHECK (col IN ('a', 'b'))` constraint, if the column has one. */
  readonly enumValues: readonly string[] | undefined;
  /**
   * Whether SQLite enforces the declared type: a column of a STRICT table, a rowid alias, or a view's
   * column read unaltered from one of those.
   */
  readonly strict: boolean;
}

/**
 * What the schema says about one table or view.
 *
 * @example
 * ```ts
 * catalog.table('run')?.columns.map((c) => c.name);
 * ```
 */
export interface CatalogTable {
  readonly name: string;
  /** Visible columns in declaration order (what `*` expands to). */
  readonly columns: readonly CatalogColumn[];
  /** Columns by lower-cased name. */
  readonly byName: ReadonlyMap<string, CatalogColumn>;
  /** `table` or `view`. */
  readonly kind: 'table' | 'view';
  /** Whether it is a STRICT table. */
  readonly strict: boolean;
}

/**
 * An in-memory database built from the schema files, plus the per-column facts the generator needs.
 * The database is the very SQLite build that runs in production, so `prepare` on it is the judge of
 * every query.
 *
 * @example
 * ```ts
 * const catalog = SchemaCatalog.load('/work/main/schema', '/work/main', ['0001_init.sql']);
 * catalog.column('run', 'exit_code')?.notNull; // false
 * catalog.close();
 * ```
 */
export class SchemaCatalog {
  readonly db: Database.Database;
  /** The schema directory as diagnostics name it (relative to the configuration's directory). */
  readonly dir: string;
  readonly #tables: ReadonlyMap<string, CatalogTable>;

  private constructor(db: Database.Database, dir: string, tables: ReadonlyMap<string, CatalogTable>) {
    this.db = db;
    this.dir = dir;
    this.#tables = tables;
  }

  /**
   * Applies `names` (the `*.sql` files of `schemaDir`) to a fresh in-memory database in version order,
   * as the migrator does, taking their texts from `texts` (read from `schemaDir` by default; a run
   * passes the texts it read once). A file not named `NNNN_name.sql`, a version given twice, or a file
   * that cannot be read or fails is a {@link CodegenError} `CODEGEN_SCHEMA` naming it.
   *
   * @example
   * ```ts
   * const catalog = SchemaCatalog.load('schema', process.cwd(), ['0001_init.sql']);
   * ```
   */
  static load(
    schemaDir: string,
    rootDir: string,
    names: readonly string[],
    texts: SchemaTexts = readSchemaTexts(schemaDir, names),
  ): SchemaCatalog {
    const shown = (path: string): string => relative(rootDir, path).split('\\').join('/') || '.';
    const files = migrationOrder(names, (file, message) => ({
      path: shown(join(schemaDir, file)),
      line: 1,
      col: 1,
      message,
    }));
    const db = new Database(':memory:');
    const applied: string[] = [];
    for (const file of files) {
      const path = join(schemaDir, file);
      const text = texts.get(file) ?? new Error(`${file} is not among the schema texts read for this run`);
      if (text instanceof Error) {
        db.close();
        throw new CodegenError('CODEGEN_SCHEMA', [
          { path: shown(path), line: 1, col: 1, message: `cannot read the schema file: ${text.message}` },
        ]);
      }
      try {
        db.exec(text);
      } catch (err) {
        db.close();
        const message = (err as Error).message;
        const line = failingStatementLine(applied, text, message);
        throw new CodegenError('CODEGEN_SCHEMA', [
          { path: shown(path), line, col: 1, message: `schema: ${message}` },
        ]);
      }
      applied.push(text);
    }
    return new SchemaCatalog(db, shown(schemaDir), readTables(db));
  }

  /** The table or view called `name` (case-insensitive). */
  table(name: string): CatalogTable | undefined {
    return this.#tables.get(name.toLowerCase());
  }

  /** Every table and view, in name order. */
  tables(): CatalogTable[] {
    return [...this.#tables.values()];
  }

  /** One column of a table or view (case-insensitive). */
  column(table: string, column: string): CatalogColumn | undefined {
    return this.table(table)?.byName.get(column.toLowerCase());
  }

  /** Closes the in-memory database. */
  close(): void {
    this.db.close();
  }
}

/**
 * The line of the statement that fails with `message`: SQLite reports no position for `exec`, so the
 * earlier files and then this file's statements (split where a line ends with `;`) are replayed on a
 * fresh database until the same error appears. 1 when it cannot be reproduced that way (a trigger
 * body holds `;` too).
 */
function failingStatementLine(earlier: readonly string[], text: string, message: string): number {
  const db = new Database(':memory:');
  try {
    for (const applied of earlier) db.exec(applied);
    const lines = text.split('\n');
    let start = 0;
    for (let i = 0; i < lines.length; i++) {
      if (!/;\s*(--.*)?$/.test(lines[i] ?? '') && i < lines.length - 1) continue;
      const chunk = lines.slice(start, i + 1).join('\n');
      try {
        db.exec(chunk);
      } catch (err) {
        if ((err as Error).message !== message) return 1;
        // The statement starts at its first line that is neither blank nor a comment.
        let first = start;
        while (first < i && /^\s*(--.*)?$/.test(lines[first] ?? '')) first++;
        return first + 1;
      }
      start = i + 1;
    }
    return 1;
  } catch {
    return 1;
  } finally {
    db.close();
  }
}

// The migrator's file name rule (src/db/schema-files.ts); a file it would refuse must not shape the types.
const MIGRATION_FILE = /^(\d+)_[A-Za-z0-9_-]+\.sql$/;

/** Schema file names in the migrator's order (by version); a name it would refuse is an error. */
function migrationOrder(
  names: readonly string[],
  at: (file: string, message: string) => Diagnostic,
): string[] {
  const problems: Diagnostic[] = [];
  const byVersion = new Map<number, string>();
  for (const name of [...names].sort()) {
    const version = MIGRATION_FILE.exec(name)?.[1];
    if (version === undefined) {
      problems.push(
        at(
          name,
          'schema files are migrations named NNNN_name.sql (digits, underscore, letters, digits, _ or -); rename it',
        ),
      );
      continue;
    }
    const first = byVersion.get(Number(version));
    if (first !== undefined) {
      problems.push(
        at(name, `migration version ${Number(version)} is also used by ${first}; renumber one of them`),
      );
    } else {
      byVersion.set(Number(version), name);
    }
  }
  if (problems.length > 0) throw new CodegenError('CODEGEN_SCHEMA', problems);
  return [...byVersion].sort(([a], [b]) => a - b).map(([, name]) => name);
}

interface XInfoRow {
  name: string;
  type: string;
  notnull: number;
  pk: number;
  hidden: number;
}

function readTables(db: Database.Database): Map<string, CatalogTable> {
  const tables = new Map<string, CatalogTable>();
  const rows = db
    .prepare(
      `SELECT name, type, sql FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name`,
    )
    .all() as { name: string; type: string; sql: string | null }[];
  const strictOf = new Map(
    (db.prepare('PRAGMA table_list').all() as { name: string; strict: number }[]).map((r) => [
      r.name,
      r.strict,
    ]),
  );
  // A view's column read unaltered from a table column is as guaranteed as that column.
  const typeEnforced = (table: string | null, column: string | null): boolean => {
    if (table === null || column === null || strictOf.get(table) === 1)
      return table !== null && column !== null;
    const info = db.prepare(`PRAGMA table_xinfo(${quoteIdent(table)})`).all() as XInfoRow[];
    const c = info.find((i) => i.name.toLowerCase() === column.toLowerCase());
    return c !== undefined && isRowidAlias(info, c);
  };
  for (const row of rows) {
    const info = db.prepare(`PRAGMA table_xinfo(${quoteIdent(row.name)})`).all() as XInfoRow[];
    const origins =
      row.type === 'view'
        ? db
            .prepare(`SELECT * FROM ${quoteIdent(row.name)}`)
            .columns()
            .map((c) => typeEnforced(c.table, c.column))
        : [];
    const strict = strictOf.get(row.name) === 1;
    const enums = row.type === 'table' ? checkEnums(row.sql ?? '') : new Map<string, string[]>();
    const columns: CatalogColumn[] = [];
    const byName = new Map<string, CatalogColumn>();
    info.forEach((c, i) => {
      const type = c.type.toUpperCase();
      const rowidAlias = row.type === 'table' && isRowidAlias(info, c);
      const column: CatalogColumn = {
        table: row.name,
        name: c.name,
        type,
        notNull: row.type === 'table' && (c.notnull === 1 || rowidAlias || (strict && c.pk > 0)),
        enumValues: enums.get(c.name.toLowerCase()),
        strict: row.type === 'table' ? strict || rowidAlias : origins[i] === true,
      };
      byName.set(c.name.toLowerCase(), column);
      // hidden 1 is a virtual table's hidden column; 2 and 3 are generated columns, which `*` includes.
      if (c.hidden !== 1) columns.push(column);
    });
    tables.set(row.name.toLowerCase(), {
      name: row.name,
      columns,
      byName,
      kind: row.type === 'view' ? 'view' : 'table',
      strict: row.type === 'table' && strict,
    });
  }
  return tables;
}

/** The one INTEGER PRIMARY KEY column, which is the rowid: always an integer, STRICT or not. */
function isRowidAlias(info: readonly XInfoRow[], c: XInfoRow): boolean {
  return c.pk === 1 && info.filter((i) => i.pk > 0).length === 1 && c.type.toUpperCase() === 'INTEGER';
}

/** `CHECK (col IN ('a', 'b'))` constraints, by lower-cased column name. */
function checkEnums(createSql: string): Map<string, string[]> {
  const enums = new Map<string, string[]>();
  const check = /CHECK\s*\(\s*["`[]?(\w+)["`\]]?\s+IN\s*\(([^()]*)\)\s*\)/gi;
  for (const m of createSql.matchAll(check)) {
    const column = m[1];
    const list = m[2];
    if (column === undefined || list === undefined) continue;
    const items = list.split(',').map((s) => s.trim());
    const values: string[] = [];
    for (const item of items) {
      const literal = /^'((?:[^']|'')*)'$/.exec(item);
      if (literal?.[1] === undefined) {
        values.length = 0;
        break;
      }
      values.push(literal[1].replaceAll("''", "'"));
    }
    if (values.length > 0) enums.set(column.toLowerCase(), values);
  }
  return enums;
}

/**
 * Quotes an SQL identifier.
 *
 * @example
 * ```ts
 * quoteIdent('my table'); // '"my table"'
 * ```
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
