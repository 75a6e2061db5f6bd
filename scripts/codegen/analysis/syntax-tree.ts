import type {
  CompoundSelectStmt,
  FuncCall,
  Keyword,
  Node,
  Program,
  SelectStmt,
  SubSelect,
} from 'sql-parser-cst';
import { sqlParserCst } from '../load-cjs.js';
import { blankLiterals } from './blank-literals.js';

/**
 * The parameter spellings SQLite accepts, as the parser names them.
 *
 * @example
 * ```ts
 * sqlParserCst().parse(sql, { dialect: 'sqlite', paramTypes: [...SQLITE_PARAM_TYPES] });
 * ```
 */
export const SQLITE_PARAM_TYPES = ['@name', ':name', '$name', '?', '?nr'] as const;

/**
 * Parses SQLite text into sql-parser-cst's typed tree, with source ranges (parameters are matched to
 * SQLite's numbering by position). Throws the parser's error for text it cannot read.
 *
 * 1. Every stage that reads a statement's syntax (the macro stage, the analysis, the alias overrides,
 *    `insertReturnsRow`, the plan gate's statement shape, the syntax error's position) parses through
 *    here, so one query's text is parsed once per run: parsing is the largest cost of a run.
 * 2. The trees (and errors) of the last few texts are kept; a query's stages run one after another,
 *    so a few suffice and memory stays flat however many queries a project has.
 * 3. A tree is shared between callers: no caller may change it.
 *
 * @example
 * ```ts
 * const program = parseSqlite('SELECT 1');
 * ```
 */
export function parseSqlite(sql: string): Program {
  let parsed = recentlyParsed.get(sql);
  if (parsed === undefined) {
    try {
      const { text, names } = withoutDollarNames(sql);
      const program = sqlParserCst().parse(text, {
        dialect: 'sqlite',
        paramTypes: [...SQLITE_PARAM_TYPES],
        includeRange: true,
      });
      if (names.size > 0) restoreNames(program, names);
      parsed = { program };
    } catch (error) {
      parsed = { error };
    }
    if (recentlyParsed.size >= RECENT_TEXTS) recentlyParsed.delete(recentlyParsed.keys().next().value ?? '');
    recentlyParsed.set(sql, parsed);
  }
  if ('error' in parsed) throw parsed.error;
  return parsed.program;
}

/**
 * SQLite takes `$` inside a bare name (`price$usd`); the parser does not, and reads no such statement.
 * Such a name is handed to it with `_` for each `$` (the same length, so every source range holds), and
 * {@link restoreNames} gives the identifiers that start where a rewritten name starts their real name
 * back; an identifier anywhere else (a quoted `"price_usd"`, an alias) keeps its own.
 */
function withoutDollarNames(sql: string): {
  readonly text: string;
  readonly names: ReadonlyMap<number, string>;
} {
  if (!sql.includes('$')) return { text: sql, names: new Map() };
  // Literals, quoted names and comments blanked, so only bare names are found.
  const bare = blankLiterals(sql);
  const names = new Map<number, string>();
  let text = '';
  let at = 0;
  for (const m of bare.matchAll(
    /(?<![A-Za-z0-9_$@:?\u0080-\uffff])[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/g,
  )) {
    const name = m[0];
    if (!name.includes('$')) continue;
    names.set(m.index, name);
    text += sql.slice(at, m.index) + name.replaceAll('$', '_');
    at = m.index + name.length;
  }
  return { text: text + sql.slice(at), names };
}

/** Gives each identifier that starts at a name {@link withoutDollarNames} rewrote that name as written. */
function restoreNames(node: unknown, names: ReadonlyMap<number, string>): void {
  if (Array.isArray(node)) {
    for (const item of node) restoreNames(item, names);
    return;
  }
  if (!isNode(node)) return;
  if (node.type === 'identifier') {
    const range = node.range;
    const real = range === undefined ? undefined : names.get(range[0]);
    if (range !== undefined && real !== undefined && range[1] === range[0] + real.length) {
      (node as { name: string }).name = real;
      (node as { text: string }).text = real;
    }
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'range' && key !== 'leading' && key !== 'trailing') restoreNames(value, names);
  }
}

/** How many texts {@link parseSqlite} remembers: one query's own text and its macro-free variant, with room. */
const RECENT_TEXTS = 8;
const recentlyParsed = new Map<string, { readonly program: Program } | { readonly error: unknown }>();

/**
 * The direct child nodes of a node, in source order: the generic walk for parts of a statement no stage
 * types (they are still searched for parameters and subqueries).
 *
 * @example
 * ```ts
 * for (const child of childNodes(clause)) visit(child);
 * ```
 */
export function childNodes(node: Node): Node[] {
  const out: Node[] = [];
  const add = (value: unknown): void => {
    if (Array.isArray(value)) for (const v of value) add(v);
    else if (isNode(value)) out.push(value);
  };
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'range' && key !== 'leading' && key !== 'trailing') add(value);
  }
  return out;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string';
}

/**
 * The upper-cased text of an operator: a symbol (`=`), a keyword (`AND`) or keywords (`NOT IN`).
 *
 * @example
 * ```ts
 * operatorText(binary.operator); // 'IS NOT'
 * ```
 */
export function operatorText(op: string | Keyword | readonly Keyword[] | Node): string {
  if (typeof op === 'string') return op.toUpperCase();
  if (Array.isArray(op)) return op.map((k: Keyword) => k.name.toUpperCase()).join(' ');
  if ('type' in op && op.type === 'keyword') return op.name.toUpperCase();
  return '';
}

/**
 * A select of any shape (`SELECT`, a compound, either in parentheses).
 *
 * @example
 * ```ts
 * if (isSubSelect(node)) typer.select(node, scope);
 * ```
 */
export function isSubSelect(node: Node): node is SubSelect {
  return (
    node.type === 'select_stmt' ||
    node.type === 'compound_select_stmt' ||
    (node.type === 'paren_expr' && isSubSelect(node.expr))
  );
}

/**
 * The `SELECT` or compound inside any parentheses.
 *
 * @example
 * ```ts
 * const select = unparen(sub);
 * ```
 */
export function unparen(node: SubSelect): SelectStmt | CompoundSelectStmt {
  return node.type === 'paren_expr' ? unparen(node.expr) : node;
}

/**
 * An aliased node's inner node; any other node itself.
 *
 * @example
 * ```ts
 * const e = unalias(item);
 * ```
 */
export function unalias(node: Node): Node {
  return node.type === 'alias' ? node.expr : node;
}

/**
 * The lower-cased name of a called function (`json_each`, `count`).
 *
 * @example
 * ```ts
 * functionName(call); // 'coalesce'
 * ```
 */
export function functionName(call: FuncCall): string {
  return call.name.type === 'identifier'
    ? call.name.name.toLowerCase()
    : call.name.property.type === 'identifier'
      ? call.name.property.name.toLowerCase()
      : '';
}

/**
 * The arguments of a call, `*` included.
 *
 * @example
 * ```ts
 * const [first] = functionArgs(call);
 * ```
 */
export function functionArgs(call: FuncCall): Node[] {
  return call.args?.expr.args.items ?? [];
}

/**
 * The name an entity is written with (`t`, or `main.t` → `t`), or `undefined` for another node.
 *
 * @example
 * ```ts
 * entityName(insert.table); // 'sandbox'
 * ```
 */
export function entityName(node: Node): string | undefined {
  if (node.type === 'identifier') return node.name;
  if (node.type === 'member_expr' && node.property.type === 'identifier') return node.property.name;
  if (node.type === 'alias') return entityName(node.expr);
  return undefined;
}

/**
 * Expressions of a parenthesized list (`(a, b)`), or `undefined` for anything else.
 *
 * @example
 * ```ts
 * listItems(inExpr.right); // [a, b]
 * ```
 */
export function listItems(node: Node): Node[] | undefined {
  return node.type === 'paren_expr' && node.expr.type === 'list_expr' ? node.expr.items : undefined;
}

/**
 * The first column reference inside an expression (sqlc names a parameter after it), if any.
 *
 * @example
 * ```ts
 * firstColumnRef(parse('lower(name)')); // 'name'
 * ```
 */
export function firstColumnRef(node: Node): string | undefined {
  if (node.type === 'identifier') return node.name;
  if (node.type === 'member_expr')
    return node.property.type === 'identifier' ? node.property.name : undefined;
  if (isSubSelect(node)) return undefined;
  const children = node.type === 'func_call' ? functionArgs(node) : childNodes(node);
  for (const child of children) {
    const found = firstColumnRef(child);
    if (found !== undefined) return found;
  }
  return undefined;
}
