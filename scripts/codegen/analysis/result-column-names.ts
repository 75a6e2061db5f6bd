import type { Node, Program } from 'sql-parser-cst';
import { functionArgs, functionName, operatorText, unparen } from './syntax-tree.js';

/**
 * The names sqlc gives a statement's unaliased result columns where SQLite's own name is the
 * expression's text (sqlc's `internal/compiler/output_columns.go`), one entry per select-list item
 * (`undefined`: use SQLite's name — an alias, a column, a star, or an expression sqlc leaves unnamed):
 *
 * 1. a function call → the function's name (`count(*)` → `count`, `trim(':a:', ':')` → `trim`);
 * 2. `coalesce(…)` → its first column argument (`coalesce(bar, '')` → `bar`), else `coalesce`;
 * 3. `CAST(col AS …)` → the column;
 * 4. `EXISTS (…)` → `exists`, `NOT EXISTS (…)` → `not_exists`.
 *
 * A star stands for as many columns as SQLite says the statement returns beyond the other items, so
 * `count` (SQLite's number of result columns) places the names; with more than one star, or none of
 * the text to read, the result is `undefined`.
 *
 * @example
 * ```ts
 * resultColumnNames(parseSqlite('SELECT count(*), * FROM run'), 3); // ['count', undefined, undefined]
 * ```
 */
export function resultColumnNames(program: Program, count: number): (string | undefined)[] | undefined {
  const statements = program.statements.filter((s) => s.type !== 'empty');
  const stmt = statements.length === 1 ? statements[0] : undefined;
  const items = stmt === undefined ? undefined : resultItems(stmt);
  if (items === undefined) return undefined;
  const stars = items.filter(isStar).length;
  const width = count - (items.length - stars);
  if (stars > 1 || width < 0 || (stars === 0 && width !== 0)) return undefined;
  return items.flatMap((item) => (isStar(item) ? Array<undefined>(width).fill(undefined) : [sqlcName(item)]));
}

function resultItems(stmt: Node): readonly Node[] | undefined {
  if (stmt.type === 'select_stmt' || stmt.type === 'compound_select_stmt' || stmt.type === 'paren_expr') {
    const select = unparen(stmt as Parameters<typeof unparen>[0]);
    // A compound's columns are named by its first select, as SQLite names them.
    if (select.type === 'compound_select_stmt') return resultItems(select.left);
    for (const clause of select.clauses) if (clause.type === 'select_clause') return clause.columns?.items;
    return undefined;
  }
  if (stmt.type === 'insert_stmt' || stmt.type === 'update_stmt' || stmt.type === 'delete_stmt') {
    for (const clause of stmt.clauses)
      if (clause.type === 'returning_clause') return clause.columns.items as readonly Node[];
  }
  return undefined;
}

function isStar(item: Node): boolean {
  return item.type === 'all_columns' || (item.type === 'member_expr' && item.property.type === 'all_columns');
}

function sqlcName(item: Node): string | undefined {
  const e = item.type === 'paren_expr' ? item.expr : item;
  switch (e.type) {
    case 'func_call': {
      const fn = functionName(e);
      if (fn !== 'coalesce') return fn;
      const column = functionArgs(e).find((a) => a.type === 'identifier' || a.type === 'member_expr');
      return column === undefined ? fn : columnName(column);
    }
    case 'cast_expr': {
      const arg = e.args.expr.expr;
      return arg.type === 'identifier' || arg.type === 'member_expr' ? columnName(arg) : undefined;
    }
    case 'prefix_op_expr': {
      if (isExists(e)) return 'exists';
      return operatorText(e.operator) === 'NOT' && isExists(e.expr) ? 'not_exists' : undefined;
    }
    default:
      return undefined;
  }
}

function isExists(node: Node): boolean {
  return node.type === 'prefix_op_expr' && operatorText(node.operator) === 'EXISTS';
}

function columnName(node: Node): string | undefined {
  if (node.type === 'identifier') return node.name;
  if (node.type === 'member_expr' && node.property.type === 'identifier') return node.property.name;
  return undefined;
}
