import type { Database } from 'better-sqlite3';
import { parseSqlite } from './analysis/syntax-tree.js';

type Node = { readonly type: string; readonly [key: string]: unknown };

/**
 * Whether a statement is an `INSERT … VALUES … RETURNING` that returns at least one row every time
 * it succeeds, so a `:one` function can return its row without `| undefined`.
 *
 * 1. Only `INSERT`/`REPLACE` with `VALUES` or `DEFAULT VALUES` into a table: `INSERT … SELECT` can
 *    insert nothing, and `UPDATE`/`DELETE … RETURNING` return nothing when no row matches.
 * 2. A conflict resolution that can skip the row rules it out: `OR IGNORE`, `ON CONFLICT … DO
 *    NOTHING`, `DO UPDATE … WHERE`. `OR REPLACE`/`REPLACE` and `DO UPDATE` without `WHERE` still
 *    return the row; `OR ABORT`, `OR FAIL` and `OR ROLLBACK` throw instead.
 * 3. A trigger on the table that can `RAISE(IGNORE)` drops the row silently, so it rules it out too.
 *
 * @example
 * ```ts
 * insertReturnsRow('INSERT INTO item (title) VALUES (@title) RETURNING id', catalog.db); // true
 * ```
 */
export function insertReturnsRow(sql: string, db: Database): boolean {
  let statement: Node | undefined;
  try {
    const program = parseSqlite(sql) as unknown as { statements: Node[] };
    statement = program.statements[0];
  } catch {
    return false;
  }
  if (statement?.type !== 'insert_stmt') return false;
  let table: string | undefined;
  let rows = false;
  let returning = false;
  for (const clause of statement.clauses as Node[]) {
    switch (clause.type) {
      case 'with_clause':
        break;
      case 'insert_clause': {
        const action = (clause.orAction as Node | undefined)?.actionKw as Node | undefined;
        if (action?.name === 'IGNORE') return false;
        table = tableName(clause.table as Node);
        break;
      }
      case 'values_clause':
      case 'default_values':
        rows = true;
        break;
      case 'upsert_clause': {
        const action = clause.action as Node;
        if (action.type !== 'upsert_action_update' || action.where !== undefined) return false;
        break;
      }
      case 'returning_clause':
        returning = true;
        break;
      default:
        // A SELECT source, or a clause this check does not know: no promise.
        return false;
    }
  }
  return rows && returning && table !== undefined && isPlainTable(db, table) && !mayIgnore(db, table);
}

function tableName(node: Node): string | undefined {
  if (node.type === 'alias') return tableName(node.expr as Node);
  if (node.type === 'member_expr') return tableName(node.property as Node);
  if (node.type === 'identifier') return String(node.name);
  return undefined;
}

/** A real table: an INSTEAD OF trigger on a view decides for itself what happens. */
function isPlainTable(db: Database, table: string): boolean {
  const row = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE")
    .get(table);
  return row !== undefined;
}

function mayIgnore(db: Database, table: string): boolean {
  const triggers = db
    .prepare("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE")
    .pluck()
    .all(table) as (string | null)[];
  return triggers.some((text) => /RAISE\s*\(\s*IGNORE/i.test(text ?? ''));
}
