import type Database from 'better-sqlite3';
import { aliasOverride, doubleQuotedAliases } from './alias-override.js';
import { analyzeStatement } from './analyze-statement.js';
import type { AnalyzedQuery, EmbeddedRow, ParamField, ResultField } from './analyzed-query.js';
import type { ColumnOverride } from './codegen-config.js';
import { columnType } from './column-type.js';
import type { Diagnostic } from './diagnostic.js';
import { embeddedRow } from './embedded-row.js';
import { insertReturnsRow } from './insert-returns-row.js';
import { sqlParserCst } from './load-cjs.js';
import { camelCase } from './naming.js';
import type { QueryBlock } from './query-block.js';
import { refusedStatement } from './refused-statement.js';
import { ResultFieldNames } from './result-field-names.js';
import type { SchemaCatalog } from './schema-catalog.js';
import { singular } from './singular.js';
import { type SqlType, tsOfDeclared, UNKNOWN, unionTs } from './sql-type.js';
import { expandSqlcMacros, type MacroEmbed } from './sqlc-macros.js';

/**
 * Validates one query with SQLite and types it.
 *
 * 1. The statement must be one a query may hold (see {@link refusedStatement}).
 * 2. `prepare` on the schema's in-memory database must succeed (syntax, unknown table or column,
 *    one statement only).
 * 3. `stmt.readonly` must agree with the tag and `stmt.reader` with the command; each message names
 *    the one fix, so following one never leads to another about the same query.
 * 4. Column types come from the syntax tree, falling back to the schema column SQLite names as the
 *    origin, then to `unknown`; double-quoted aliases `AS "c!"`, `AS "c?"` and `AS "c: Type"` override
 *    (see {@link aliasOverride}); any other name, colons included, is just a name.
 * 5. Field and parameter names are `fieldName` of the SQL names (camelCase unless configured).
 *
 * @example
 * ```ts
 * const { query, diagnostics } = describeQuery(block, catalog, new Map());
 * ```
 */
export function describeQuery(
  source: QueryBlock,
  catalog: SchemaCatalog,
  overrides: ReadonlyMap<string, ColumnOverride>,
  fieldName: (sqlName: string) => string = camelCase,
): { query: AnalyzedQuery | undefined; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  // sqlc's macros become plain SQL first; positions in that text are reported in the source's.
  const macros = expandSqlcMacros(source.sql, catalog);
  const block = macros.sql === source.sql ? source : { ...source, sql: macros.sql };
  const atSource = (offset: number | undefined, message: string): void => {
    const pos = position(source, offset);
    diagnostics.push({ path: block.path, line: pos.line, col: pos.col, message });
  };
  const at = (offset: number | undefined, message: string): void =>
    atSource(offset === undefined ? undefined : macros.originalOffset(offset), message);
  for (const e of macros.errors) atSource(e.offset, `${block.name}: ${e.message}`);
  if (diagnostics.length > 0) return { query: undefined, diagnostics };
  const refused = refusedStatement(block.sql, catalog.dir);
  if (refused !== undefined) {
    at(refused.offset, `${block.name}: ${refused.message}`);
    return { query: undefined, diagnostics };
  }
  let stmt: Database.Statement;
  try {
    stmt = catalog.db.prepare(block.sql);
  } catch (err) {
    const message = (err as Error).message;
    const located = /syntax error|incomplete input|unrecognized token/.test(message)
      ? syntaxErrorAt(block.sql)
      : undefined;
    if (located !== undefined) {
      const lineStart = block.sql
        .split('\n')
        .slice(0, located.line - 1)
        .join('\n').length;
      at(
        lineStart + (located.line > 1 ? 1 : 0) + located.col - 1,
        `${block.name}: ${sqliteMessage(message)}`,
      );
    } else {
      const near = /near "([^"]*)"/.exec(message)?.[1];
      const offset = near === undefined ? undefined : block.sql.indexOf(near);
      at(
        offset !== undefined && offset >= 0 ? offset : undefined,
        `${block.name}: ${sqliteMessage(message)}`,
      );
    }
    return { query: undefined, diagnostics };
  }

  // The tag follows `readonly` and the command follows `reader`, independently.
  if (stmt.readonly && !stmt.reader) {
    at(
      undefined,
      `${block.name}: the statement neither returns rows nor changes data, so no generated function can use it; remove it`,
    );
    return { query: undefined, diagnostics };
  }
  if (block.tag === ':read' && !stmt.readonly) {
    at(
      undefined,
      `${block.name} is tagged :read but SQLite says the statement writes; tag it -- :write (it then runs inside DbWriteConnection.transaction())`,
    );
  } else if (block.tag === ':write' && stmt.readonly) {
    at(
      undefined,
      `${block.name} is tagged :write but SQLite says the statement only reads; tag it -- :read (reads run on a DbReadConnection or inside a transaction)`,
    );
  }
  const wantsRows = block.command === ':one' || block.command === ':many';
  if (wantsRows && !stmt.reader) {
    at(
      undefined,
      `${block.name} is ${block.command} but the statement returns no rows; use :exec, :execrows, :execlastid or :execresult, or add RETURNING to get rows back`,
    );
  } else if (!wantsRows && stmt.reader && stmt.readonly && block.command !== ':exec') {
    at(
      undefined,
      `${block.name} is ${block.command} but the statement only reads, so it changes no row; use :one or :many`,
    );
  } else if (!wantsRows && stmt.reader && stmt.readonly) {
    // sqlc accepts a read under :exec (running it and discarding the rows, as a write's RETURNING rows
    // are), and so do we, but running a read for nothing is almost always a mistake worth a word.
    const pos = position(source, undefined);
    diagnostics.push({
      path: block.path,
      ...pos,
      severity: 'warning',
      message: `${block.name} is ${block.command} but the statement only reads, so running it does nothing; use :one or :many`,
    });
  }

  const analysis = analyzeStatement(block.sql, catalog, overrides);
  if (analysis.positional) {
    at(
      block.sql.indexOf('?'),
      `${block.name}: positional parameters (?) are not supported; name them (@name)`,
    );
  }

  // The text scan also finds `$usd` inside an identifier such as `price$usd`; a name the syntax tree
  // does not hold as a parameter is kept only if SQLite needs it bound.
  const bound = analysis.positional
    ? new Set<string>()
    : new Set(
        [...analysis.params.keys()].filter(
          (name) =>
            analysis.treeParams.has(name) || sqliteBinds(catalog, block.sql, analysis.params.keys(), name),
        ),
      );
  if (!analysis.positional) {
    // SQLite is the judge of the parameter list too: binding every parameter found must satisfy it.
    try {
      stmt.bind(Object.fromEntries([...bound].map((name) => [name, null])));
    } catch (err) {
      const missing = /Missing named parameter "([^"]*)"/.exec((err as Error).message)?.[1];
      const offset = missing === undefined ? undefined : paramOffset(block.sql, missing);
      at(
        offset,
        missing === undefined
          ? `${block.name}: SQLite refused the parameters: ${(err as Error).message}`
          : `${block.name}: unknown parameter ${offset === undefined ? missing : (block.sql[offset] ?? '') + missing}: SQLite binds it, but the generator reads only names of ASCII letters, digits and _ (@name, :name, $name); rename it`,
      );
    }
    for (const name of bound) {
      if (/^[0-9]/.test(name)) {
        const offset = paramOffset(block.sql, name);
        at(
          offset,
          `${block.name}: parameter ${offset === undefined ? name : (block.sql[offset] ?? '') + name} must start with a letter or _ (it becomes a field name); rename it`,
        );
      }
    }
  }

  const fields: ResultField[] = [];
  const embeds: EmbeddedRow[] = [];
  const rows = stmt.reader && wantsRows;
  const described = rows ? stmt.columns() : [];
  if (rows) {
    const fromTree = analysis.columns?.length === described.length ? analysis.columns : undefined;
    const names = new ResultFieldNames();
    const embedded = new Map<MacroEmbed, { index: number; type: SqlType }[]>();
    const embedField = new Map<MacroEmbed, string>();
    // Only a double-quoted alias can be an override; the syntax tree says how a name was written.
    const quoted = described.some((c) => /[!?:]/.test(c.name))
      ? doubleQuotedAliases(block.sql)
      : new Set<string>();
    described.forEach((c, index) => {
      const override = aliasOverride(c.name, quoted);
      if ('error' in override) {
        const offset = block.sql.indexOf(`"${c.name.replaceAll('"', '""')}"`);
        at(offset >= 0 ? offset : undefined, `${block.name}: ${override.error}`);
        return;
      }
      let type = fromTree?.[index] ?? UNKNOWN;
      if (type.ts === 'unknown' && c.table !== null && c.column !== null) {
        // The tree could not follow this column; SQLite still knows where it comes from.
        const col = catalog.column(c.table, c.column);
        if (col !== undefined) {
          const base = tsOfDeclared(col.type);
          const override = overrides.get(`${col.table}.${col.name}`.toLowerCase());
          type = {
            ts: override?.type === 'bigint' ? 'bigint' : base.ts,
            nullable: !col.notNull || analysis.outerJoin || fromTree === undefined,
            integer: base.integer,
            ...(override?.type === 'json' ? { decode: override.decode?.name ?? 'JSON.parse' } : {}),
          };
        }
      } else if (type.ts === 'unknown' && c.type !== null) {
        const base = tsOfDeclared(c.type);
        type = { ts: base.ts, nullable: true, integer: base.integer };
      }
      if (type.ts === 'null') type = UNKNOWN;
      if (override.ts !== undefined) type = { ...type, ts: override.ts };
      if (override.nullable !== undefined) type = { ...type, nullable: override.nullable };
      const embed = macros.embeds.find(
        (e) => e.first !== undefined && index >= e.first && index < e.first + e.count,
      );
      if (embed !== undefined) {
        // The embed's field takes its place among the others where its first column is.
        const columns = embedded.get(embed) ?? [];
        embedded.set(embed, [...columns, { index, type }]);
        if (index === embed.first) {
          const numbered = names.add(fieldName(singular(embed.table)), `sqlc.embed(${embed.ref})`);
          if (numbered.clash !== undefined)
            atSource(
              embed.offset,
              `${block.name}: sqlc.embed(${embed.ref}) gets field ${numbered.field}, which result column ${JSON.stringify(numbered.clash)} already has; alias that column`,
            );
          embedField.set(embed, numbered.field);
        }
        return;
      }
      const field = fieldName(override.name);
      if (field === '') {
        at(
          undefined,
          `${block.name}: result column ${index + 1} (${JSON.stringify(c.name)}) has no usable name; alias it`,
        );
        return;
      }
      const numbered = names.add(field, c.name);
      if (numbered.clash !== undefined) {
        at(
          undefined,
          `${block.name}: result columns ${JSON.stringify(numbered.clash)} and ${JSON.stringify(c.name)} both get field ${numbered.field} (a repeated name is numbered name_2, name_3, …); alias one of them`,
        );
        return;
      }
      fields.push({ index, field: numbered.field, type });
    });
    for (const [embed, columns] of embedded) {
      const made = embeddedRow(
        embedField.get(embed) ?? '',
        embed.table,
        columns,
        catalog,
        overrides,
        fieldName,
      );
      if ('problem' in made)
        atSource(embed.offset, `${block.name}: sqlc.embed(${embed.ref}): ${made.problem}`);
      else embeds.push(made.row);
    }
  }

  const params: ParamField[] = [];
  const byField = new Map<string, string>();
  for (const [name, hints] of analysis.params) {
    if (!bound.has(name)) continue;
    const field = fieldName(name);
    const clash = byField.get(field);
    if (clash !== undefined) {
      at(
        block.sql.indexOf(name),
        `${block.name}: parameters @${clash} and @${name} both map to ${field}; rename one`,
      );
      continue;
    }
    byField.set(field, name);
    let type: SqlType = { ts: 'SqlValue', nullable: true, integer: false };
    const known = hints.filter((h) => h.type.ts !== 'unknown');
    const first = known[0];
    if (first !== undefined) {
      type = {
        ts: known.map((h) => h.type.ts).reduce(unionTs),
        nullable:
          (known.some((h) => h.type.nullable) || analysis.nullableParams.has(name)) &&
          !hints.some((h) => h.array),
        integer: known.every((h) => h.type.integer),
      };
    }
    const array = hints.some((h) => h.array);
    if (array && first === undefined) type = { ts: 'number | string', nullable: false, integer: false };
    // `sqlc.narg` admits null whatever the parameter is compared with.
    if (macros.params.get(name)?.nullable === true && !array) type = { ...type, nullable: true };
    params.push({ name, field, type, array });
  }
  if (diagnostics.some((d) => d.severity !== 'warning')) return { query: undefined, diagnostics };
  const bigint = [...fields, ...embeds.flatMap((e) => e.fields)].some((f) =>
    f.type.ts.split(' | ').includes('bigint'),
  );
  const table = embeds.length > 0 ? undefined : wholeRowOf(described, fields, catalog, overrides, fieldName);
  const alwaysRow = rows && insertReturnsRow(block.sql, catalog.db);
  return { query: { block, fields, embeds, params, bigint, table, alwaysRow }, diagnostics };
}

/** The table every result column comes from unaltered, in the table's order, if there is one. */
function wholeRowOf(
  columns: readonly Database.ColumnDefinition[],
  fields: readonly ResultField[],
  catalog: SchemaCatalog,
  overrides: ReadonlyMap<string, ColumnOverride>,
  fieldName: (sqlName: string) => string,
): string | undefined {
  const origin = columns[0]?.table;
  const table = origin === null || origin === undefined ? undefined : catalog.table(origin);
  if (table === undefined || table.columns.length !== columns.length || fields.length !== columns.length) {
    return undefined;
  }
  const whole = columns.every((c, i) => {
    const col = table.columns[i];
    const f = fields[i];
    if (col === undefined || f === undefined) return false;
    const schema = columnType(catalog, overrides, table.name, col.name);
    return (
      c.table === origin &&
      c.column === col.name &&
      c.name === col.name &&
      f.field === fieldName(col.name) &&
      f.type.ts === schema.ts &&
      f.type.nullable === schema.nullable &&
      f.type.integer === schema.integer &&
      f.type.decode === schema.decode
    );
  });
  return whole ? table.name : undefined;
}

/** Whether SQLite needs `name` bound: binding every other found name leaves the statement short. */
function sqliteBinds(catalog: SchemaCatalog, sql: string, names: Iterable<string>, name: string): boolean {
  const others = [...names].filter((n) => n !== name).map((n) => [n, null]);
  try {
    // `bind` works once per statement, so this check prepares its own.
    catalog.db.prepare(sql).bind(Object.fromEntries(others));
    return false;
  } catch {
    return true;
  }
}

/** Where `@name`, `:name` or `$name` (the whole name, not a prefix of a longer one) first appears. */
function paramOffset(sql: string, name: string): number | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`[@:$]${escaped}(?![A-Za-z0-9_$\\u0080-\\uffff])`).exec(sql)?.index;
}

function position(block: QueryBlock, offset: number | undefined): { line: number; col: number } {
  if (offset === undefined || offset < 0) return { line: block.sqlLine, col: 1 };
  const before = block.sql.slice(0, offset).split('\n');
  return { line: block.sqlLine + before.length - 1, col: (before.at(-1)?.length ?? 0) + 1 };
}

function sqliteMessage(message: string): string {
  if (/more than one statement/i.test(message)) return 'a query block must hold exactly one statement';
  return message;
}

/** Where the SQL parser stops on a statement SQLite rejected as a syntax error (1-based, within `sql`). */
function syntaxErrorAt(sql: string): { line: number; col: number } | undefined {
  try {
    sqlParserCst().parse(sql, { dialect: 'sqlite', paramTypes: ['@name', ':name', '$name', '?', '?nr'] });
  } catch (err) {
    const m = /--> [^\n]*?:(\d+):(\d+)/.exec((err as Error).message);
    if (m?.[1] !== undefined && m[2] !== undefined) return { line: Number(m[1]), col: Number(m[2]) };
  }
  return undefined;
}
