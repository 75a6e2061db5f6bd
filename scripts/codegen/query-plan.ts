import type Database from 'better-sqlite3';
import type { ParamBinding } from './analyzed-query.js';

/**
 * What one line of `EXPLAIN QUERY PLAN` does.
 *
 * - `scan`: every row of a table, in rowid order or in the order of `index` (SQLite's "SCAN").
 * - `search`: a subset of a table's rows, found through the rowid (`rowid`), the primary key of a
 *   WITHOUT ROWID table (`primaryKey`) or `index`, constrained by `terms` ("SEARCH").
 * - `automatic-index` / `bloom-filter`: an index or filter SQLite builds for this one run by reading
 *   the whole table.
 * - `temp-btree`: rows sorted or de-duplicated in a temporary B-tree.
 * - `constant-row`, `values` (an n-row VALUES clause), `virtual-table` (json_each and the like),
 *   `subquery-scan` (the rows of a subquery or view computed earlier): no table is read.
 * - `other`: structure (subqueries, compound selects, MULTI-INDEX OR, MATERIALIZE, CO-ROUTINE).
 *
 * @example
 * ```ts
 * const kind: PlanStepKind = 'scan';
 * ```
 */
export type PlanStepKind =
  | 'scan'
  | 'search'
  | 'automatic-index'
  | 'bloom-filter'
  | 'temp-btree'
  | 'constant-row'
  | 'values'
  | 'virtual-table'
  | 'subquery-scan'
  | 'other';

/**
 * One line of a query plan, parsed.
 *
 * @example
 * ```ts
 * const [step] = explainQueryPlan(db, 'SELECT * FROM run WHERE id = @id', ['id']);
 * step?.detail; // 'SEARCH run USING INTEGER PRIMARY KEY (rowid=?)'
 * ```
 */
export interface PlanStep {
  readonly id: number;
  /** The `id` of the enclosing step; 0 at the top level. */
  readonly parent: number;
  /** The line as SQLite prints it. */
  readonly detail: string;
  readonly kind: PlanStepKind;
  /** The table as the plan names it: its alias when the query gives one, or a CTE or subquery name. */
  readonly name?: string;
  readonly index?: string;
  readonly rowid?: boolean;
  readonly primaryKey?: boolean;
  /** The constraints of a search, as printed: `a=?`, `b>?`. */
  readonly terms?: readonly string[];
  /** Rows of a `values` step. */
  readonly rows?: number;
}

/**
 * Runs `EXPLAIN QUERY PLAN` on `sql` with every parameter bound to NULL, by name or number, or by
 * place for `?` (the planner does not look at bound values: the schema database has no statistics),
 * and parses each line.
 *
 * @example
 * ```ts
 * explainQueryPlan(catalog.db, 'SELECT * FROM run', []).map((s) => s.detail); // ['SCAN run']
 * ```
 */
export function explainQueryPlan(
  db: Database.Database,
  sql: string,
  params: readonly ParamBinding[],
): PlanStep[] {
  const stmt = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const keys = params.flatMap((p) => (p.kind === 'key' ? [[p.key, null] as const] : []));
  const places = params.filter((p) => p.kind === 'position').length;
  const rows = (
    keys.length > 0
      ? stmt.all(Object.fromEntries(keys))
      : stmt.all(...Array.from({ length: places }, () => null))
  ) as { id: number; parent: number; detail: string }[];
  return rows.map((r) => ({ id: r.id, parent: r.parent, ...parsePlanDetail(r.detail) }));
}

/**
 * Parses one plan line's text (SQLite 3.45 and later spell it this way).
 *
 * @example
 * ```ts
 * parsePlanDetail('SCAN run USING INDEX run_sandbox_status_started').index; // 'run_sandbox_status_started'
 * ```
 */
export function parsePlanDetail(detail: string): Omit<PlanStep, 'id' | 'parent'> {
  const at = (kind: PlanStepKind, rest: Partial<PlanStep> = {}): Omit<PlanStep, 'id' | 'parent'> => ({
    detail,
    kind,
    ...rest,
  });
  if (/TEMP B-TREE/.test(detail)) return at('temp-btree');
  // The inner table of an outer join is marked at the end of its line.
  return parseCore(detail.replace(/ (?:LEFT|RIGHT)-JOIN$/, ''), at);
}

function parseCore(
  detail: string,
  at: (kind: PlanStepKind, rest?: Partial<PlanStep>) => Omit<PlanStep, 'id' | 'parent'>,
): Omit<PlanStep, 'id' | 'parent'> {
  if (detail === 'SCAN CONSTANT ROW') return at('constant-row');
  let m = /^SCAN (\d+)-ROW VALUES CLAUSE$/.exec(detail);
  if (m !== null) return at('values', { rows: Number(m[1]) });
  m = /^SCAN (.+?) VIRTUAL TABLE INDEX /.exec(detail);
  if (m !== null) return at('virtual-table', { name: m[1] ?? '' });
  m = /^SCAN (\(.*\))$/.exec(detail);
  if (m !== null) return at('subquery-scan', { name: m[1] ?? '' });
  m = /^SCAN (.+?)(?: USING (?:COVERING )?INDEX (.+))?$/.exec(detail);
  if (m !== null) return at('scan', { name: m[1] ?? '', ...(m[2] === undefined ? {} : { index: m[2] }) });
  m = /^SEARCH (.+?) USING AUTOMATIC .*INDEX \((.*)\)/.exec(detail);
  if (m !== null) return at('automatic-index', { name: m[1] ?? '', terms: terms(m[2]) });
  m = /^SEARCH (.+?) USING INTEGER PRIMARY KEY \((.*)\)/.exec(detail);
  if (m !== null) return at('search', { name: m[1] ?? '', rowid: true, terms: terms(m[2]) });
  m = /^SEARCH (.+?) USING PRIMARY KEY \((.*)\)/.exec(detail);
  if (m !== null) return at('search', { name: m[1] ?? '', primaryKey: true, terms: terms(m[2]) });
  m = /^SEARCH (.+?) USING (?:COVERING )?INDEX (\S+)(?: \((.*)\))?/.exec(detail);
  if (m !== null) return at('search', { name: m[1] ?? '', index: m[2] ?? '', terms: terms(m[3]) });
  m = /^SEARCH (.+)$/.exec(detail);
  if (m !== null) return at('search', { name: m[1] ?? '', terms: [] });
  m = /^BLOOM FILTER ON (.+?) \(/.exec(detail);
  if (m !== null) return at('bloom-filter', { name: m[1] ?? '' });
  return at('other');
}

/**
 * The column of an equality term (`a=?` → `a`), or undefined for a range or other comparison.
 *
 * @example
 * ```ts
 * equalityColumn('rowid=?'); // 'rowid'
 * equalityColumn('started_at>?'); // undefined
 * ```
 */
export function equalityColumn(term: string): string | undefined {
  return /^([^<>!=]+)=\?$/.exec(term)?.[1];
}

function terms(text: string | undefined): string[] {
  return text === undefined || text === '' ? [] : text.split(' AND ');
}
