import { blockPosition } from './block-position.js';
import type { Diagnostic } from './diagnostic.js';
import type { PlanSchema } from './plan-schema.js';
import type { QueryBlock } from './query-block.js';
import { equalityColumn, type PlanStep } from './query-plan.js';
import { aliasedTable, type StatementShape } from './statement-shape.js';

// Top-level plan lines that produce rows of their own: each must yield at most one.
const ROW_SOURCES = new Set([
  'scan',
  'search',
  'automatic-index',
  'constant-row',
  'values',
  'virtual-table',
  'subquery-scan',
]);
// Top-level structure that combines several row sources into one result.
const COMBINING = /^(COMPOUND QUERY|MERGE \(|MULTI-INDEX OR)/;

/**
 * The `:one` cardinality check: a warning when neither the schema nor the SQL limits a `:one` query
 * to at most one row (the generated function would silently drop the others).
 *
 * A query is limited when one of these holds:
 * 1. its SELECT (also the SELECT of INSERT … SELECT) has `LIMIT 0` or `LIMIT 1`, is an aggregate
 *    without GROUP BY, or has no FROM;
 * 2. it is an INSERT of one VALUES row or DEFAULT VALUES;
 * 3. every row source at the top of its plan is pinned: `SEARCH … USING INTEGER PRIMARY KEY
 *    (rowid=?)`, a WITHOUT ROWID `PRIMARY KEY` or a unique index with every key column bound by `=`,
 *    or `SCAN CONSTANT ROW`. In a join every table must be pinned. A column compared with IN or inside
 *    an OR does not pin (the plan shows `col IN (…)` as `col=?` too), and the searches SQLite makes in
 *    child tables for an UPDATE's or DELETE's foreign keys are not row sources.
 *
 * @example
 * ```ts
 * const problems = oneRowProblems(block, steps, PlanSchema.of(db), () => statementShape(block.sql));
 * ```
 */
export function oneRowProblems(
  block: QueryBlock,
  steps: readonly PlanStep[],
  schema: PlanSchema,
  shape: () => StatementShape | undefined,
): Diagnostic[] {
  if (block.command !== ':one') return [];
  const top = steps.filter((s) => s.parent === 0);
  // Without IN or OR in the text no column is ambiguous, so a pinned plan needs no parse.
  if (!/\b(IN|OR)\b/i.test(block.sql) && unpinned(block.sql, top, schema, new Set(), shape) === undefined)
    return [];
  const facts = shape();
  if (facts?.atMostOneRow === true) return [];
  let sources = top;
  if (
    facts !== undefined &&
    (facts.kind === 'update' || facts.kind === 'delete' || facts.kind === 'insert')
  ) {
    // The searches in child tables for the written table's foreign keys return no rows.
    const target = facts.writes[0]?.table ?? '';
    const children = new Set(schema.foreignKeysTo(target).map((fk) => fk.child.toLowerCase()));
    children.delete(target.toLowerCase());
    sources = top.filter((s) => s.name === undefined || !children.has(s.name.toLowerCase()));
  }
  const first = unpinned(block.sql, sources, schema, facts?.inOrColumns ?? new Set(), shape);
  if (first === undefined) return [];
  return [
    {
      path: block.path,
      ...blockPosition(block, undefined),
      severity: 'warning',
      message: `${block.name} is :one, but neither the schema nor the SQL limits it to one row (plan: ${first.detail}); ${facts?.kind === 'select' ? 'add LIMIT 1, ' : ''}filter with = on the primary key or on every column of a unique index, or make it :many`,
    },
  ];
}

/** The first top-level step that may yield more than one row, if any. */
function unpinned(
  sql: string,
  top: readonly PlanStep[],
  schema: PlanSchema,
  inOr: ReadonlySet<string>,
  shape: () => StatementShape | undefined,
): PlanStep | undefined {
  return top.find((step) => {
    if (step.kind === 'other') return COMBINING.test(step.detail);
    if (!ROW_SOURCES.has(step.kind)) return false;
    if (step.kind === 'constant-row') return false;
    if (step.kind === 'values') return (step.rows ?? 2) > 1;
    if (step.kind !== 'search') return true;
    const equal = new Set(
      (step.terms ?? []).flatMap((t) => {
        const c = equalityColumn(t)?.toLowerCase();
        return c === undefined || inOr.has(c) ? [] : [c];
      }),
    );
    if (step.rowid === true) {
      if (!equal.has('rowid')) return true;
      if (inOr.size === 0) return false;
      const table = tableOf(sql, step.name ?? '', schema, shape);
      const alias = table === undefined ? undefined : schema.rowidAlias(table)?.toLowerCase();
      // Without the table, any IN or OR may be on its rowid alias.
      return alias === undefined || inOr.has(alias) || inOr.has('rowid');
    }
    if (step.primaryKey === true) {
      const table = tableOf(sql, step.name ?? '', schema, shape);
      const pk = table === undefined ? [] : schema.primaryKey(table);
      return pk.length === 0 || !pk.every((c) => equal.has(c.toLowerCase()));
    }
    const index = step.index === undefined ? undefined : schema.index(step.index);
    if (index === undefined || !index.unique) return true;
    const named = index.columns.filter((c): c is string => c !== null);
    return named.length !== index.columns.length
      ? (step.terms ?? []).filter((t) => equalityColumn(t) !== undefined).length < index.columns.length
      : !named.every((c) => equal.has(c.toLowerCase()));
  });
}

function tableOf(
  sql: string,
  name: string,
  schema: PlanSchema,
  shape: () => StatementShape | undefined,
): string | undefined {
  return (
    schema.table(name) ??
    schema.table(aliasedTable(sql, name, (n) => schema.table(n) !== undefined) ?? '') ??
    schema.table(shape()?.aliases.get(name.toLowerCase()) ?? '')
  );
}
