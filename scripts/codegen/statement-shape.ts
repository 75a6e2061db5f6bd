import { parseSqlite } from './analysis/syntax-tree.js';

/**
 * A write to a table that can make SQLite look for rows referencing it: a delete (also the delete of a
 * conflicting row under REPLACE) or an update of `columns`.
 *
 * @example
 * ```ts
 * const w: TableWrite = { table: 'manifest', op: 'update', columns: ['id'] };
 * ```
 */
export type TableWrite =
  | { readonly table: string; readonly op: 'delete' }
  | { readonly table: string; readonly op: 'update'; readonly columns: readonly string[] };

/**
 * What the plan checks need to know of a statement's syntax.
 *
 * @example
 * ```ts
 * statementShape('DELETE FROM manifest WHERE id = @id')?.writes; // [{ table: 'manifest', op: 'delete' }]
 * ```
 */
export interface StatementShape {
  readonly kind: 'select' | 'insert' | 'update' | 'delete' | 'other';
  /** The table an INSERT, UPDATE or DELETE writes. */
  readonly target: string | undefined;
  /** Lower-cased name or alias → table, view or CTE name as written, for every table reference. */
  readonly aliases: ReadonlyMap<string, string>;
  /** Lower-cased names of the statement's common table expressions. */
  readonly ctes: ReadonlySet<string>;
  /** Lower-cased names of the tables the statement reads in a FROM or JOIN, subqueries included. */
  readonly reads: ReadonlySet<string>;
  readonly writes: readonly TableWrite[];
  /** The rows an INSERT … VALUES adds (1 for DEFAULT VALUES); undefined for other statements. */
  readonly valuesRows: number | undefined;
  /** The top-level SELECT (for INSERT … SELECT, its SELECT) cannot return more than one row by its form. */
  readonly atMostOneRow: boolean;
  /** Lower-cased columns compared with IN or inside an OR: SQLite shows both as `col=?` in a plan. */
  readonly inOrColumns: ReadonlySet<string>;
}

interface Node {
  readonly type: string;
  readonly [key: string]: unknown;
}

const AGGREGATES = new Set([
  'avg',
  'count',
  'group_concat',
  'json_group_array',
  'json_group_object',
  'jsonb_group_array',
  'jsonb_group_object',
  'max',
  'min',
  'string_agg',
  'sum',
  'total',
]);

/**
 * Parses `sql` (one statement) with sql-parser-cst and reads its shape; undefined when the parser
 * does not accept it (SQLite did, so the plan checks then use the plan alone).
 *
 * @example
 * ```ts
 * statementShape('SELECT count(*) FROM run')?.atMostOneRow; // true
 * ```
 */
export function statementShape(sql: string): StatementShape | undefined {
  let stmt: Node | undefined;
  try {
    const program = parseSqlite(sql) as unknown as { statements: Node[] };
    stmt = program.statements[0];
  } catch {
    return undefined;
  }
  if (stmt === undefined) return undefined;
  const aliases = new Map<string, string>();
  const ctes = new Set<string>();
  const inOrColumns = new Set<string>();
  const reads = new Set<string>();
  walk(stmt, (node) => {
    if (node.type === 'from_clause') fromTables(node.expr as Node, reads);
    if (node.type === 'common_table_expr') ctes.add(nameOf(node.table).toLowerCase());
    if (node.type === 'alias') {
      const target = tableName(node.expr as Node);
      if (target !== undefined) aliases.set(nameOf(node.alias).toLowerCase(), target);
    }
    if (node.type === 'binary_expr') {
      const op = operatorOf(node);
      if (op === 'IN' || op === 'NOT IN') columnsIn(node.left as Node, inOrColumns);
      if (op === 'OR') columnsIn(node, inOrColumns);
    }
  });
  const clauses = (stmt.clauses as Node[] | undefined) ?? [];
  const base = { aliases, ctes, reads, inOrColumns };
  switch (stmt.type) {
    case 'select_stmt':
    case 'compound_select_stmt':
      return {
        ...base,
        kind: 'select',
        target: undefined,
        writes: [],
        valuesRows: undefined,
        atMostOneRow: oneRowSelect(stmt),
      };
    case 'insert_stmt': {
      const insert = clauses.find((c) => c.type === 'insert_clause');
      const table = tableName(insert?.table as Node | undefined) ?? '';
      const replaces =
        keywordOf(insert?.insertKw) === 'REPLACE' || keywordOf(orActionOf(insert)) === 'REPLACE';
      const writes: TableWrite[] = replaces ? [{ table, op: 'delete' }] : [];
      const upsertSets: string[] = [];
      walk({ type: 'clauses', clauses: clauses.filter((c) => c.type === 'upsert_clause') }, (n) => {
        if (n.type === 'set_clause') upsertSets.push(...setColumns(n));
      });
      if (upsertSets.length > 0) writes.push({ table, op: 'update', columns: upsertSets });
      const values = clauses.find((c) => c.type === 'values_clause');
      const select = clauses.find((c) => c.type === 'select_stmt' || c.type === 'compound_select_stmt');
      const valuesRows = clauses.some((c) => c.type === 'default_values')
        ? 1
        : values !== undefined
          ? listItems(values.values).length
          : undefined;
      return {
        ...base,
        kind: 'insert',
        target: table,
        writes,
        valuesRows,
        atMostOneRow: valuesRows === 1 || (select !== undefined && oneRowSelect(select)),
      };
    }
    case 'update_stmt': {
      const update = clauses.find((c) => c.type === 'update_clause');
      const table = tableName(listItems(update?.tables)[0]) ?? '';
      const columns = clauses.filter((c) => c.type === 'set_clause').flatMap(setColumns);
      const writes: TableWrite[] = [{ table, op: 'update', columns }];
      if (keywordOf(orActionOf(update)) === 'REPLACE') writes.push({ table, op: 'delete' });
      return { ...base, kind: 'update', target: table, writes, valuesRows: undefined, atMostOneRow: false };
    }
    case 'delete_stmt': {
      const del = clauses.find((c) => c.type === 'delete_clause');
      const table = tableName(listItems(del?.tables)[0]) ?? '';
      return {
        ...base,
        kind: 'delete',
        target: table,
        writes: [{ table, op: 'delete' }],
        valuesRows: undefined,
        atMostOneRow: false,
      };
    }
    default:
      return {
        ...base,
        kind: 'other',
        target: undefined,
        writes: [],
        valuesRows: undefined,
        atMostOneRow: false,
      };
  }
}

/** LIMIT 0 or 1, an aggregate without GROUP BY, or no FROM (one constant row, or one VALUES row). */
function oneRowSelect(stmt: Node): boolean {
  if (stmt.type === 'compound_select_stmt') {
    // The LIMIT of a compound select is parsed into its last member.
    const last = stmt.right as Node;
    return last.type === 'select_stmt' && limitOne((last.clauses as Node[]) ?? []);
  }
  if (stmt.type !== 'select_stmt') return false;
  const clauses = (stmt.clauses as Node[]) ?? [];
  if (limitOne(clauses)) return true;
  const values = clauses.find((c) => c.type === 'values_clause');
  if (values !== undefined) return listItems(values.values).length <= 1;
  const select = clauses.find((c) => c.type === 'select_clause');
  if (select === undefined) return false;
  if (!clauses.some((c) => c.type === 'from_clause')) return true;
  return !clauses.some((c) => c.type === 'group_by_clause') && hasAggregate(select.columns as Node);
}

function limitOne(clauses: readonly Node[]): boolean {
  const count = clauses.find((c) => c.type === 'limit_clause')?.count as Node | undefined;
  return count?.type === 'number_literal' && Number(count.value) <= 1;
}

/** An aggregate call in `node`, outside subqueries and window calls. */
function hasAggregate(node: Node): boolean {
  let found = false;
  walk(node, (n) => {
    if (n.type === 'select_stmt' || n.type === 'compound_select_stmt') return false;
    if (n.type === 'func_call' && n.over === undefined) {
      const name = nameOf(n.name).toLowerCase();
      const args = listItems(
        (((n.args as Node | undefined)?.expr as Node | undefined)?.args ?? undefined) as Node,
      );
      // min(a, b) and max(a, b) are scalar functions; with one argument they aggregate.
      if (AGGREGATES.has(name) && !((name === 'min' || name === 'max') && args.length > 1)) found = true;
    }
    return true;
  });
  return found;
}

function setColumns(set: Node): string[] {
  return listItems(set.assignments).flatMap((a) => {
    const column = a.column as Node;
    const items = column.type === 'paren_expr' ? listItems((column.expr as Node) ?? undefined) : [column];
    return items.map((i) => nameOf(i));
  });
}

function columnsIn(node: Node, into: Set<string>): void {
  walk(node, (n) => {
    if (n.type === 'select_stmt' || n.type === 'compound_select_stmt') return false;
    if (n.type === 'identifier') into.add(nameOf(n).toLowerCase());
    if (n.type === 'member_expr') {
      into.add(nameOf(n.property).toLowerCase());
      return false;
    }
    return true;
  });
}

/** The table a FROM item or DML target names (schema prefix dropped), if it is a plain name. */
/** The tables a FROM clause's expression names, through joins, aliases and parentheses. */
function fromTables(node: Node | undefined, into: Set<string>): void {
  if (node === undefined) return;
  if (node.type === 'join_expr') {
    fromTables(node.left as Node, into);
    fromTables(node.right as Node, into);
  } else if (node.type === 'paren_expr' || node.type === 'alias') {
    fromTables(node.expr as Node, into);
  } else {
    const name = tableName(node);
    if (name !== undefined) into.add(name.toLowerCase());
  }
}

function tableName(node: Node | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (node.type === 'alias') return tableName(node.expr as Node);
  if (node.type === 'identifier') return nameOf(node);
  if (node.type === 'member_expr') return nameOf(node.property);
  return undefined;
}

function nameOf(node: unknown): string {
  const n = node as { name?: unknown; text?: unknown } | undefined;
  return typeof n?.name === 'string' ? n.name : typeof n?.text === 'string' ? n.text : '';
}

function keywordOf(node: unknown): string | undefined {
  const n = node as { name?: unknown } | undefined;
  return typeof n?.name === 'string' ? n.name.toUpperCase() : undefined;
}

function orActionOf(clause: Node | undefined): unknown {
  return (clause?.orAction as { actionKw?: unknown } | undefined)?.actionKw;
}

function operatorOf(node: Node): string {
  const op = node.operator;
  if (typeof op === 'string') return op.toUpperCase();
  if (Array.isArray(op)) return op.map((k) => keywordOf(k) ?? '').join(' ');
  return keywordOf(op) ?? '';
}

function listItems(node: unknown): Node[] {
  const n = node as Node | undefined;
  if (n === undefined || n === null) return [];
  return n.type === 'list_expr' ? ((n.items as Node[]) ?? []) : [n];
}

/** Depth-first over every node; `visit` returning false skips the node's children. */
function walk(node: Node, visit: (node: Node) => unknown): void {
  if (visit(node) === false) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'range') continue;
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) walk(item, visit);
    } else if (isNode(value)) walk(value, visit);
  }
}

function isNode(value: unknown): value is Node {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}

/**
 * The table that `alias` names in `sql` (`FROM run r`, `JOIN run AS r`), found without parsing: the
 * first `<table> [AS] alias` whose `<table>` passes `isTable`. Undefined when there is none; callers
 * then fall back to {@link statementShape}.
 *
 * @example
 * ```ts
 * aliasedTable('SELECT r.id FROM run r', 'r', (n) => n === 'run'); // 'run'
 * ```
 */
export function aliasedTable(
  sql: string,
  alias: string,
  isTable: (name: string) => boolean,
): string | undefined {
  const code = sql.replace(/--[^\n]*/g, ' ');
  const escaped = alias.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(?<![\\w$."])([A-Za-z_][\\w$]*)\\s+(?:AS\\s+)?${escaped}(?![\\w$])`, 'gi');
  for (const m of code.matchAll(pattern)) {
    const name = m[1] ?? '';
    if (isTable(name)) return name;
  }
  return undefined;
}
