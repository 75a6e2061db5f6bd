import { blockPosition, sqlOffset } from './block-position.js';
import type { Diagnostic } from './diagnostic.js';
import { foreignKeyLookups } from './foreign-key-lookups.js';
import type { PlanSchema } from './plan-schema.js';
import type { QueryBlock } from './query-block.js';
import type { PlanStep } from './query-plan.js';
import { aliasedTable, type StatementShape } from './statement-shape.js';

/**
 * The query-plan gate: full scans and temporary B-trees in a query's plan, and child-table scans its
 * foreign keys cause.
 *
 * 1. A full scan is a plan line that reads every row of a schema table: `SCAN t`, `SCAN t USING
 *    [COVERING] INDEX i` (every row, in index order) unless `i` is a partial index (it holds only the
 *    rows its WHERE admits), and an automatic index or Bloom filter SQLite builds on `t` for the run.
 *    `SCAN CONSTANT ROW`, VALUES clauses, virtual tables (`json_each`), and the rows of a CTE,
 *    subquery or view computed earlier are not table scans (the scans inside them are reported).
 * 2. `USE TEMP B-TREE FOR …` (ORDER BY, GROUP BY, DISTINCT, a UNION) is a temporary B-tree.
 * 3. A `:write` statement that deletes rows or changes a parent key makes SQLite search each child
 *    table by its foreign key columns, and the children of rows it cascades to in turn; a child with
 *    no index led by those columns is read whole. The plan shows only the first level of these.
 * 4. In a `:write` query each of these is an error (it runs under the database-wide write lock); in a
 *    `:read` query, a warning. `-- :scan-ok <reason>` accepts them all; on a query whose plan has none
 *    it is an error (a leftover would hide the next regression).
 * 5. A trigger on a table the statement writes is a warning: its statements' plans are not checked.
 *
 * @example
 * ```ts
 * const problems = scanProblems(block, explainQueryPlan(db, block.sql, []), PlanSchema.of(db), () => undefined);
 * ```
 */
export function scanProblems(
  block: QueryBlock,
  steps: readonly PlanStep[],
  schema: PlanSchema,
  shape: () => StatementShape | undefined,
): Diagnostic[] {
  const write = block.tag === ':write';
  const severity: 'error' | 'warning' = write ? 'error' : 'warning';
  const lock = write ? ' under the database-wide write lock' : '';
  const accept = 'or accept it with "-- :scan-ok <reason>"';
  const found: Diagnostic[] = [];
  const other: Diagnostic[] = [];
  const report = (
    into: Diagnostic[],
    offset: number | undefined,
    message: string,
    level: 'error' | 'warning' = severity,
  ): void => {
    into.push({ path: block.path, ...blockPosition(block, offset), message, severity: level });
  };
  const at = (name: string): number | undefined =>
    sqlOffset(block.sql, `(?<![\\w$])${escapeRegExp(name)}(?![\\w$])`);

  // Foreign-key searches first. The plan shows the first level of them as top-level scans or searches
  // of the target's child tables, including searches SQLite guards to run only while the statement has
  // pending foreign-key violations; the statement's syntax tells which really run, so those plan lines
  // are not reported as plain scans.
  const explained = new Set<string>();
  if (write && needsShape(block, steps, schema)) {
    const facts = shape();
    const writes = facts?.writes ?? [];
    const target = facts?.target;
    const { lookups, written } = foreignKeyLookups(schema, writes);
    // A child the statement reads itself (`INSERT INTO owner SELECT … FROM item`, `UPDATE … FROM item`)
    // is scanned by the statement, not for its foreign key: that scan is the statement's own. Other
    // children are searched only for the foreign key (guarded, for an INSERT, to run only while the
    // statement has pending violations), and those searches are checked above.
    const readsItself = facts?.reads ?? new Set<string>();
    if (target !== undefined) {
      for (const fk of schema.foreignKeysTo(target)) {
        if (!readsItself.has(fk.child.toLowerCase())) explained.add(fk.child.toLowerCase());
      }
    }
    for (const l of lookups) explained.add(l.fk.child.toLowerCase());
    for (const t of readsItself) explained.delete(t);
    for (const l of lookups) {
      if (l.index !== undefined) continue;
      const { fk } = l;
      const did =
        l.write.op === 'delete' ? `deletes rows of ${fk.parent}` : `changes ${fk.parent}.${fk.to.join(', ')}`;
      const chain =
        l.via.length === 0
          ? ''
          : `, reached through ${l.via.map((v) => `${v.child}(${v.from.join(', ')}) ON ${l.write.op === 'delete' ? 'DELETE' : 'UPDATE'} ${l.write.op === 'delete' ? v.onDelete : v.onUpdate}`).join(' then ')}`;
      const action = l.write.op === 'delete' ? fk.onDelete : fk.onUpdate;
      const index = `${fk.child}_${fk.from.join('_')}`;
      report(
        found,
        at(writes[0]?.table ?? fk.parent),
        `${block.name} (:write) ${did}, so SQLite searches ${fk.child} for rows referencing them (foreign key ${fk.child}(${fk.from.join(', ')}) REFERENCES ${fk.parent}(${fk.to.join(', ')}) ON ${l.write.op === 'delete' ? 'DELETE' : 'UPDATE'} ${action}${chain}); no index of ${fk.child} starts with ${fk.from.join(', ')}, so every row of ${fk.child} is read${lock}; add "CREATE INDEX ${index} ON ${fk.child} (${fk.from.join(', ')});" in a new schema migration, ${accept}`,
      );
    }
    for (const table of written) {
      for (const trigger of schema.triggersOn(table)) {
        report(
          other,
          at(table),
          `${block.name} writes ${table}, which fires trigger ${trigger}; the plan gate cannot see the plans of a trigger's statements, which run${lock} too: check them by hand with EXPLAIN QUERY PLAN`,
          'warning',
        );
      }
    }
  }

  const computed = new Set(
    steps.flatMap((s) => {
      const m = /^(?:MATERIALIZE|CO-ROUTINE) (.+)$/.exec(s.detail);
      return m?.[1] === undefined ? [] : [m[1].toLowerCase()];
    }),
  );
  const seen = new Set<string>();
  for (const step of steps) {
    if (step.kind === 'temp-btree') {
      // A window function or a compound select can sort several times the same way: one report.
      if (seen.has(step.detail)) continue;
      seen.add(step.detail);
      const what = /FOR (.+)$/.exec(step.detail)?.[1] ?? '';
      const clause = /GROUP BY/.test(what)
        ? 'GROUP\\s+BY'
        : /DISTINCT/.test(what)
          ? 'DISTINCT'
          : /ORDER BY/.test(what)
            ? 'ORDER\\s+BY'
            : 'UNION|INTERSECT|EXCEPT';
      report(
        found,
        sqlOffset(block.sql, `\\b(?:${clause})\\b`),
        `${block.name} (${block.tag}) sorts rows in a temporary B-tree${lock} (plan: ${step.detail}); add an index that yields the rows in this order, ${accept}`,
      );
      continue;
    }
    if (step.kind !== 'scan' && step.kind !== 'automatic-index' && step.kind !== 'bloom-filter') continue;
    const table = tableOf(block.sql, step.name ?? '', computed, schema, shape);
    if (table === undefined) continue;
    if (step.kind === 'scan' && step.index !== undefined && schema.index(step.index)?.partial === true)
      continue;
    if (step.parent === 0 && explained.has(table.toLowerCase())) continue;
    // An automatic index comes with a Bloom filter on the same table: one report.
    const key = `${step.kind === 'scan' ? 'scan' : 'built'} ${step.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const named =
      step.name !== undefined && step.name.toLowerCase() !== table.toLowerCase() ? ` (as ${step.name})` : '';
    if (step.kind === 'scan') {
      report(
        found,
        at(step.name ?? table),
        `${block.name} (${block.tag}) reads every row of ${table}${named}${lock} (plan: ${step.detail}); add an index on the columns it filters ${table} by, in a new schema migration, ${accept}`,
      );
    } else {
      if (
        step.kind === 'bloom-filter' &&
        steps.some((s) => s.kind === 'automatic-index' && s.name === step.name)
      ) {
        continue;
      }
      const columns = (step.terms ?? []).map((t) => t.replace(/[<>=!]+\?$/, ''));
      report(
        found,
        at(step.name ?? table),
        `${block.name} (${block.tag}) reads every row of ${table}${named} to build a temporary ${step.kind === 'bloom-filter' ? 'Bloom filter' : 'index'} on each run${lock} (plan: ${step.detail}); add "CREATE INDEX ${table}_${columns.join('_')} ON ${table} (${columns.join(', ')});" in a new schema migration, ${accept}`,
      );
    }
  }

  const scanOk = block.scanOk;
  if (scanOk === undefined) return [...found, ...other];
  if (found.length > 0) return other;
  return [
    ...other,
    {
      path: block.path,
      line: scanOk.line,
      col: 1,
      severity: 'error',
      message: `${block.name}: "-- :scan-ok" but its plan has no full scan or temporary B-tree to accept; remove the line`,
    },
  ];
}

/**
 * Whether a write can reach a foreign key or trigger, which takes the statement's syntax to follow:
 * SQLite's plan searches a child table at its top level when the statement deletes or re-keys the
 * child's parent, and the SQL then names that parent.
 */
function needsShape(block: QueryBlock, steps: readonly PlanStep[], schema: PlanSchema): boolean {
  if (schema.hasTriggers) return true;
  return steps.some((s) => {
    if (s.parent !== 0 || (s.kind !== 'scan' && s.kind !== 'search') || s.name === undefined) return false;
    const child = schema.table(s.name);
    if (child === undefined) return false;
    return schema
      .foreignKeysOf(child)
      .some((fk) => sqlOffset(block.sql, `(?<![\\w$])${escapeRegExp(fk.parent)}(?![\\w$])`) !== undefined);
  });
}

/** The schema table a plan line names (through an alias), or undefined for a CTE, subquery or view. */
function tableOf(
  sql: string,
  name: string,
  computed: ReadonlySet<string>,
  schema: PlanSchema,
  shape: () => StatementShape | undefined,
): string | undefined {
  const lower = name.toLowerCase();
  if (computed.has(lower)) return undefined;
  // A CTE named like a table is either flattened (the plan then names its own tables) or materialized
  // (and in `computed`), so a table's name is that table.
  const direct = schema.table(name);
  if (direct !== undefined) return direct;
  const aliased = aliasedTable(
    sql,
    name,
    (n) => schema.table(n) !== undefined && !computed.has(n.toLowerCase()),
  );
  if (aliased !== undefined) return schema.table(aliased);
  const facts = shape();
  const target = facts?.aliases.get(lower);
  if (target === undefined || facts?.ctes.has(target.toLowerCase()) || computed.has(target.toLowerCase())) {
    return undefined;
  }
  return schema.table(target);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
