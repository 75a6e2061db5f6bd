import type Database from 'better-sqlite3';
import { aliasOverride, doubleQuotedAliases } from './alias-override.js';
import { analyzeStatement } from './analysis/analyze-statement.js';
import { parameterNames } from './analysis/parameter-names.js';
import { type DiscoveredParam, parameterType } from './analysis/parameter-uses.js';
import { resultColumnNames } from './analysis/result-column-names.js';
import { parseSqlite } from './analysis/syntax-tree.js';
import type { AnalyzedQuery, EmbeddedRow, ParamBinding, ParamField, ResultField } from './analyzed-query.js';
import type { ColumnOverride } from './codegen-config.js';
import { columnType } from './column-type.js';
import type { Diagnostic } from './diagnostic.js';
import { embeddedRow } from './embedded-row.js';
import { insertReturnsRow } from './insert-returns-row.js';
import { camelCase } from './naming.js';
import type { QueryBlock } from './query-block.js';
import { refusedStatement } from './refused-statement.js';
import { ResultFieldNames } from './result-field-names.js';
import type { SchemaCatalog } from './schema-catalog.js';
import { singular } from './singular.js';
import { expandSqlcMacros, type MacroEmbed } from './sqlc-macros.js';
import { ANY_VALUE, type AnalyzedType, sameType, storageOfDeclared } from './value-type.js';

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
  const atSource = (offset: number | undefined, message: string, severity?: 'warning'): void => {
    const pos = position(source, offset);
    diagnostics.push({
      path: block.path,
      line: pos.line,
      col: pos.col,
      message,
      ...(severity && { severity }),
    });
  };
  const at = (offset: number | undefined, message: string, severity?: 'warning'): void =>
    atSource(offset === undefined ? undefined : macros.originalOffset(offset), message, severity);
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
    at(
      undefined,
      `${block.name} is ${block.command} but the statement only reads, so running it does nothing; use :one or :many`,
      'warning',
    );
  }

  const analysis = analyzeStatement(block.sql, catalog, overrides);
  const style = positionalStyle(analysis.params);
  if (style !== undefined) at(style.offset, `${block.name}: ${style.message}`);

  // A named parameter the syntax tree does not reach (in a statement the parser cannot read, say) is
  // kept only if SQLite needs it bound.
  const named = analysis.params.filter((p) => p.spelling === 'named').map((p) => p.key);
  const bound = analysis.params.filter(
    (p) => p.spelling !== 'named' || p.inTree || sqliteBinds(catalog, block.sql, named, p.key),
  );
  if (style === undefined) {
    // SQLite is the judge of the parameter list too: binding every parameter found must satisfy it.
    try {
      const bindings = bound.map(bindingOf);
      const positional = bindings.filter((b) => b.kind === 'position');
      if (positional.length > 0) stmt.bind(positional.map(() => null));
      else stmt.bind(Object.fromEntries(bindings.map((b) => [b.kind === 'key' ? b.key : '', null])));
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
    for (const p of bound) {
      if (p.spelling === 'named' && /^[0-9]/.test(p.key)) {
        const offset = paramOffset(block.sql, p.key);
        at(
          offset,
          `${block.name}: parameter ${offset === undefined ? p.key : (block.sql[offset] ?? '') + p.key} must start with a letter or _ (it becomes a field name); rename it`,
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
    const embedded = new Map<MacroEmbed, { index: number; type: AnalyzedType }[]>();
    const embedField = new Map<MacroEmbed, string>();
    // Only a double-quoted alias can be an override; the syntax tree says how a name was written.
    const quoted = described.some((c) => /[!?:]/.test(c.name))
      ? doubleQuotedAliases(block.sql)
      : new Set<string>();
    const sqlcNames =
      analysis.program === undefined ? undefined : resultColumnNames(analysis.program, described.length);
    described.forEach((c, index) => {
      const override = aliasOverride(c.name, quoted);
      if ('error' in override) {
        const offset = block.sql.indexOf(`"${c.name.replaceAll('"', '""')}"`);
        at(offset >= 0 ? offset : undefined, `${block.name}: ${override.error}`);
        return;
      }
      let type = fromTree?.[index] ?? ANY_VALUE;
      if (
        type.storage === 'any' &&
        c.table !== null &&
        c.column !== null &&
        catalog.column(c.table, c.column) !== undefined
      ) {
        // The tree could not follow this column; SQLite still knows where it comes from.
        const schema = columnType(catalog, overrides, c.table, c.column);
        type = { ...schema, nullable: schema.nullable || analysis.outerJoin || fromTree === undefined };
      } else if (type.storage === 'any' && c.type !== null) {
        // Only a declared type is known here, not that SQLite enforces it: the mapper checks.
        const storage = storageOfDeclared(c.type);
        type = { storage, nullable: true, ...(storage === 'any' ? {} : { checked: true as const }) };
      }
      if (type.storage !== 'any' && type.storage.length === 0) type = ANY_VALUE;
      if (override.nullable !== undefined) type = { ...type, nullable: override.nullable };
      const embed = macros.embeds.find(
        (e) => e.first !== undefined && index >= e.first && index < e.first + e.count,
      );
      if (embed !== undefined) {
        // SQLite says where each expanded column comes from; an alias the rewrite resolved to another
        // table (the same alias in a subquery) must not pass that table's row off as this one.
        if (
          index === embed.first &&
          c.table !== null &&
          c.table.toLowerCase() !== embed.table.toLowerCase()
        ) {
          atSource(
            embed.offset,
            `${block.name}: sqlc.embed(${embed.ref}) reads table ${c.table} here, not ${embed.table}; give the tables distinct aliases`,
          );
        }
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
      // An unaliased expression is named as sqlc names it (`count(*)` → count), not by its text.
      const sqlcName = sqlcNames?.[index];
      const field = fieldName(sqlcName ?? override.name);
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
      fields.push({
        index,
        field: numbered.field,
        type,
        ...(override.ts === undefined ? {} : { tsOverride: override.ts }),
      });
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
  const names = parameterNames(analysis.params);
  for (const p of bound) {
    const name = names.get(p.key) ?? p.key;
    const field = fieldName(name);
    const clash = byField.get(field);
    if (clash !== undefined) {
      at(
        p.spelling === 'named' ? p.offset + 1 : p.offset,
        `${block.name}: parameters @${clash} and @${name} both map to ${field}; rename one`,
      );
      continue;
    }
    byField.set(field, name);
    const { type, array } = parameterType(p.uses);
    // A list is bound as JSON text for json_each: a Buffer would become `{"type":"Buffer",…}` and match
    // nothing, a bigint would make JSON.stringify throw.
    const unencodable =
      type.representation?.kind === 'bigint'
        ? 'bigint'
        : type.storage !== 'any' && type.storage.includes('blob')
          ? 'BLOB'
          : undefined;
    if (array && unencodable !== undefined) {
      at(
        p.offset,
        `${block.name}: the list ${name} is bound as JSON for json_each, which cannot carry ${unencodable} values; compare with a list of hex() or CAST(… AS TEXT) values instead`,
      );
      continue;
    }
    // `sqlc.narg` admits null whatever the parameter is compared with.
    const narg = p.spelling === 'named' && macros.params.get(p.key)?.nullable === true && !array;
    params.push({
      name,
      field,
      type: narg ? { ...type, nullable: true } : type,
      array,
      binding: bindingOf(p),
    });
  }
  if (diagnostics.some((d) => d.severity !== 'warning')) return { query: undefined, diagnostics };
  const bigint = [...fields, ...embeds.flatMap((e) => e.fields)].some(
    (f) => f.type.representation?.kind === 'bigint' || f.tsOverride?.split(' | ').includes('bigint') === true,
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
      f.tsOverride === undefined &&
      sameType(f.type, schema)
    );
  });
  return whole ? table.name : undefined;
}

/**
 * Why the statement's positional parameters cannot be bound through one params object, if so: a `?`
 * next to a named or numbered parameter (better-sqlite3 takes the `?`s as a list and the others by
 * key, in two arguments), or a `?NNN` numbering with a gap (SQLite leaves the missing number
 * anonymous, and it must still be bound).
 */
function positionalStyle(
  params: readonly DiscoveredParam[],
): { offset: number; message: string } | undefined {
  const anonymous = params.find((p) => p.spelling === 'anonymous');
  const other = params.find((p) => p.spelling !== 'anonymous');
  if (anonymous !== undefined && other !== undefined) {
    return {
      offset: Math.max(anonymous.offset, other.offset),
      message:
        'the statement mixes ? with named or numbered parameters; use one style: all ?, all ?NNN, or all named (@name)',
    };
  }
  const numbered = params.filter((p) => p.spelling === 'numbered');
  const max = Math.max(0, ...params.map((p) => p.index));
  if (numbered.length > 0 && max !== params.length) {
    const used = new Set(params.map((p) => p.index));
    let gap = 1;
    while (used.has(gap)) gap++;
    return {
      offset: numbered[0]?.offset ?? 0,
      message: `parameter ?${gap} is never used, but SQLite still expects a value for it; number the parameters from ?1 without gaps`,
    };
  }
  return undefined;
}

/** How the generated code passes a parameter: a name or `?NNN` by key, a `?` at its place in the list. */
function bindingOf(p: DiscoveredParam): ParamBinding {
  if (p.spelling === 'anonymous') return { kind: 'position', index: p.index };
  return { kind: 'key', key: p.spelling === 'numbered' ? String(p.index) : p.key };
}

/** Whether SQLite needs `name` bound: binding every other found name leaves the statement short. */
function sqliteBinds(catalog: SchemaCatalog, sql: string, names: readonly string[], name: string): boolean {
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
    parseSqlite(sql);
  } catch (err) {
    const m = /--> [^\n]*?:(\d+):(\d+)/.exec((err as Error).message);
    if (m?.[1] !== undefined && m[2] !== undefined) return { line: Number(m[1]), col: Number(m[2]) };
  }
  return undefined;
}
