import { parseSqlite } from './analysis/syntax-tree.js';
import { quoteIdent, type SchemaCatalog } from './schema-catalog.js';

/**
 * One parameter a macro names: `sqlc.arg(x)`, `sqlc.narg(x)` (nullable) or `sqlc.slice(x)` (a list).
 *
 * @example
 * ```ts
 * const p: MacroParam = { name: 'ids', nullable: false, slice: true };
 * ```
 */
export interface MacroParam {
  readonly name: string;
  readonly nullable: boolean;
  readonly slice: boolean;
}

/**
 * One `sqlc.embed(ref)`: the table `ref` names (directly or as an alias) and where its columns are.
 *
 * @example
 * ```ts
 * const e: MacroEmbed = { ref: 'u', table: 'users', offset: 7, first: 0, count: 3 };
 * ```
 */
export interface MacroEmbed {
  /** The table or alias as written. */
  readonly ref: string;
  /** The schema table's name. */
  readonly table: string;
  /** Offset of the macro in the original text. */
  readonly offset: number;
  /** Index of its first result column; `undefined` when SQLite could not prepare the probe. */
  readonly first: number | undefined;
  readonly count: number;
}

/**
 * The plain SQLite text of a query written with sqlc's macros, and what the macros meant.
 *
 * @example
 * ```ts
 * const m = expandSqlcMacros('SELECT * FROM t WHERE id = sqlc.arg(id)', catalog);
 * m.sql; // 'SELECT * FROM t WHERE id = @id'
 * ```
 */
export interface MacroExpansion {
  readonly sql: string;
  /** Parameters named by macros, by name. */
  readonly params: ReadonlyMap<string, MacroParam>;
  readonly embeds: readonly MacroEmbed[];
  /** Misused macros, at offsets of the original text. */
  readonly errors: readonly { offset: number; message: string }[];
  /** The offset in the original text of an offset in `sql` (inside a rewrite: the macro's start). */
  originalOffset(offset: number): number;
}

const MACROS = 'sqlc.arg, sqlc.narg, sqlc.slice and sqlc.embed';
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Rewrites sqlc's macros, as sqlc's SQLite engine accepts them, into plain SQLite SQL:
 *
 * 1. `sqlc.arg(name)` and `sqlc.arg('name')` → `@name`.
 * 2. `sqlc.narg(name)` → `@name`, a parameter that admits `null` whatever it is compared with.
 * 3. `x IN (sqlc.slice(name))` → `x IN (SELECT value FROM json_each(@name))`, bound as a JSON array:
 *    one prepared statement for every length, and an empty list matches no row (`NOT IN`: every row).
 * 4. `sqlc.embed(t)` → `"t"."c1", "t"."c2", …`, every column of the table `t` names (a table of the
 *    FROM clause or its alias); the result row gets that table's whole row as one field.
 *
 * Anything else spelled `sqlc.…` (an unknown macro, a name that is not an identifier, a slice outside
 * `IN (…)`, an embed of no table in scope) is an error at the macro.
 *
 * @example
 * ```ts
 * const m = expandSqlcMacros('SELECT sqlc.embed(u) FROM users u', catalog);
 * m.sql; // 'SELECT "u"."id", "u"."name" FROM users u'
 * ```
 */
export function expandSqlcMacros(sql: string, catalog: SchemaCatalog): MacroExpansion {
  const edits: Edit[] = [];
  const errors: { offset: number; message: string }[] = [];
  const params = new Map<string, MacroParam>();
  const embeds: { ref: string; table: string; offset: number; edit: number; columns: string[] }[] = [];
  let aliases: ReadonlyMap<string, string> | undefined;

  for (const m of findMacros(sql)) {
    const fail = (message: string): void => {
      errors.push({ offset: m.start, message });
    };
    if (!['arg', 'narg', 'slice', 'embed'].includes(m.macro)) {
      fail(`unknown macro sqlc.${m.macro}; sqlc's SQLite engine accepts ${MACROS}`);
      continue;
    }
    if (m.args.length !== 1) {
      fail(`expected 1 argument to sqlc.${m.macro}, got ${m.args.length}`);
      continue;
    }
    const raw = m.args[0] ?? '';
    const quoted = /^'(.*)'$/s.exec(raw)?.[1];
    const name = m.macro === 'embed' ? raw : (quoted ?? raw);
    if (!NAME.test(name)) {
      fail(
        m.macro === 'embed'
          ? `sqlc.embed takes a table name or alias, as in sqlc.embed(users); got ${JSON.stringify(raw)}`
          : `sqlc.${m.macro} takes a name of letters, digits and _, as in sqlc.${m.macro}(name) or sqlc.${m.macro}('name'); got ${JSON.stringify(raw)}`,
      );
      continue;
    }
    if (m.macro === 'embed') {
      aliases ??= fromAliases(sql);
      const table = catalog.table(aliases.get(name.toLowerCase()) ?? name);
      if (table === undefined) {
        fail(`sqlc.embed(${name}): no table or alias ${name} in the FROM clause`);
        continue;
      }
      const columns = table.columns.map((c) => `${quoteIdent(name)}.${quoteIdent(c.name)}`);
      embeds.push({ ref: name, table: table.name, offset: m.start, edit: edits.length, columns });
      edits.push({ start: m.start, end: m.end, text: columns.join(', ') });
      continue;
    }
    const slice = m.macro === 'slice';
    if (slice && !insideIn(sql, m.start, m.end)) {
      fail(`sqlc.slice(${name}) must be the whole list of an IN: x IN (sqlc.slice(${name}))`);
      continue;
    }
    const known = params.get(name);
    if (known !== undefined && known.slice !== slice) {
      fail(`parameter ${name} is used both as sqlc.slice (a list) and as a single value; rename one`);
      continue;
    }
    params.set(name, { name, nullable: (known?.nullable ?? false) || m.macro === 'narg', slice });
    edits.push({
      start: m.start,
      end: m.end,
      text: slice ? `SELECT value FROM json_each(@${name})` : `@${name}`,
    });
  }

  const text = apply(sql, edits);
  const located: MacroEmbed[] = [];
  if (embeds.length > 0 && errors.length === 0) {
    const columns = probeColumns(
      catalog,
      apply(
        sql,
        edits.map((e, i) => {
          const embed = embeds.findIndex((b) => b.edit === i);
          const columns = embeds[embed]?.columns;
          if (columns === undefined) return e;
          return { ...e, text: columns.map((c) => `${c} AS ${quoteIdent(marker(embed))}`).join(', ') };
        }),
      ),
    );
    embeds.forEach((b, i) => {
      const count = b.columns.length;
      const first = columns?.indexOf(marker(i));
      if (first === -1) {
        errors.push({
          offset: b.offset,
          message: `sqlc.embed(${b.ref}) must be a result column of the statement's own SELECT list`,
        });
      }
      located.push({
        ref: b.ref,
        table: b.table,
        offset: b.offset,
        first: first === -1 ? undefined : first,
        count,
      });
    });
  }
  return {
    sql: text,
    params,
    embeds: located,
    errors,
    originalOffset: (offset) => originalOffset(edits, offset),
  };
}

function marker(embed: number): string {
  return `sqlc.embed#${embed}`;
}

/** Every `sqlc.name(…)` outside strings, quoted identifiers and comments. */
function findMacros(sql: string): { macro: string; args: string[]; start: number; end: number }[] {
  const found: { macro: string; args: string[]; start: number; end: number }[] = [];
  let i = 0;
  while (i < sql.length) {
    const skipped = skipOpaque(sql, i);
    if (skipped > i) {
      i = skipped;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i, i + 200))?.[0];
    if (word === undefined) {
      i++;
      continue;
    }
    const head = /^sqlc\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(/i.exec(sql.slice(i));
    const before = sql.slice(0, i).trimEnd().at(-1);
    if (word.toLowerCase() !== 'sqlc' || head === null || before === '.') {
      i += word.length;
      continue;
    }
    // The argument list, to its closing parenthesis (strings and nested parentheses skipped).
    let j = i + head[0].length;
    let depth = 1;
    let argStart = j;
    const args: string[] = [];
    while (j < sql.length && depth > 0) {
      const next = skipOpaque(sql, j);
      if (next > j) {
        j = next;
        continue;
      }
      const ch = sql[j];
      if (ch === '(') depth++;
      else if (ch === ')') depth--;
      if ((ch === ',' && depth === 1) || depth === 0) {
        args.push(sql.slice(argStart, j).trim());
        argStart = j + 1;
      }
      j++;
    }
    const list = args.length === 1 && args[0] === '' ? [] : args;
    found.push({ macro: (head[1] ?? '').toLowerCase(), args: list, start: i, end: j });
    i = j;
  }
  return found;
}

/** The end of a string, quoted identifier or comment starting at `i`, or `i` if none does. */
function skipOpaque(sql: string, i: number): number {
  const ch = sql[i];
  const close = ch === "'" ? "'" : ch === '"' ? '"' : ch === '`' ? '`' : ch === '[' ? ']' : undefined;
  if (close !== undefined) {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] === close) {
        if (close !== ']' && sql[j + 1] === close) j += 2;
        else return j + 1;
      } else j++;
    }
    return sql.length;
  }
  if (sql.startsWith('--', i)) {
    const end = sql.indexOf('\n', i);
    return end < 0 ? sql.length : end;
  }
  if (sql.startsWith('/*', i)) {
    const end = sql.indexOf('*/', i + 2);
    return end < 0 ? sql.length : end + 2;
  }
  return i;
}

/** Whether `sql[start, end)` is the whole parenthesised list of an `IN`. */
function insideIn(sql: string, start: number, end: number): boolean {
  const before = sql.slice(0, start).replace(/\s+$/, '');
  const after = sql.slice(end).replace(/^\s+/, '');
  return /(^|[^A-Za-z0-9_$])IN\s*\($/i.test(before) && after.startsWith(')');
}

/**
 * Aliases of the tables of every FROM clause (`users AS u`, `users u`), lower-cased, to the table; the
 * first (outermost) one wins.
 */
function fromAliases(sql: string): ReadonlyMap<string, string> {
  const aliases = new Map<string, string>();
  // The parser does not know the macros: an embed becomes `t.*`, any other a parameter.
  const plain = sql.replace(
    /sqlc\s*\.\s*([A-Za-z_]+)\s*\(\s*'?([A-Za-z_][A-Za-z0-9_]*)'?\s*\)/gi,
    (_, macro: string, name: string) => (macro.toLowerCase() === 'embed' ? `${name}.*` : `@${name}`),
  );
  let program: unknown;
  try {
    program = parseSqlite(plain);
  } catch {
    return aliases;
  }
  const walk = (node: unknown, inFrom: boolean): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, inFrom);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const n = node as Record<string, unknown> & { type?: string };
    if (inFrom && n.type === 'alias') {
      const table = tableName(n.expr);
      const alias = (n.alias as { name?: unknown } | undefined)?.name;
      // The outer FROM comes first in the tree; a subquery reusing the alias must not take it over.
      if (table !== undefined && typeof alias === 'string' && !aliases.has(alias.toLowerCase()))
        aliases.set(alias.toLowerCase(), table);
    }
    const from = inFrom || n.type === 'from_clause';
    for (const [key, value] of Object.entries(n)) if (key !== 'range') walk(value, from);
  };
  walk(program, false);
  return aliases;
}

function tableName(node: unknown): string | undefined {
  const n = node as { type?: string; name?: unknown; property?: unknown } | undefined;
  if (n?.type === 'identifier' && typeof n.name === 'string') return n.name;
  if (n?.type === 'member_expr') return tableName(n.property);
  return undefined;
}

/** The result column names SQLite gives the probe, or `undefined` if it cannot prepare it. */
function probeColumns(catalog: SchemaCatalog, sql: string): string[] | undefined {
  try {
    const stmt = catalog.db.prepare(sql);
    return stmt.reader ? stmt.columns().map((c) => c.name) : [];
  } catch {
    return undefined;
  }
}

function apply(sql: string, edits: readonly Edit[]): string {
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += sql.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + sql.slice(at);
}

function originalOffset(edits: readonly Edit[], offset: number): number {
  let delta = 0;
  for (const e of edits) {
    const start = e.start + delta;
    if (offset < start) break;
    if (offset < start + e.text.length) return e.start;
    delta += e.text.length - (e.end - e.start);
  }
  return offset - delta;
}
