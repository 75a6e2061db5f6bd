import type { ConformanceReport } from './conformance-report.js';

/**
 * The human-readable summary of a {@link ConformanceReport}: the counts, then what to fix next
 * (failure reasons, unknown columns, name differences), then what was left out. Long lists stop at
 * `limit` items; `--json` has them all.
 *
 * @example
 * ```ts
 * process.stdout.write(formatReport(report));
 * ```
 */
export function formatReport(report: ConformanceReport, limit = 40): string {
  const { cases, queries, columns, names, failures, dropped } = report;
  const preparable = queries.preparable.plain + queries.preparable.macro;
  const accepted = queries.accepted.plain + queries.accepted.macro;
  const unprep = queries.unpreparable.plain + queries.unpreparable.macro;
  const pct = (n: number, of: number): string => (of === 0 ? '-' : `${((100 * n) / of).toFixed(1)}%`);
  const out: string[] = [];
  const list = <T>(title: string, items: readonly T[], line: (item: T) => string): void => {
    if (items.length === 0) return;
    out.push('', `${title}:`);
    for (const item of items.slice(0, limit)) out.push(`  ${line(item)}`);
    if (items.length > limit) out.push(`  … ${items.length - limit} more (see --json)`);
  };
  out.push(
    `sqlc conformance of msb's generator (${report.checkout})`,
    '',
    `cases:        ${cases.found} sqlite cases, ${cases.skipped.length} skipped, ${cases.converted} converted; ` +
      `${cases.fullyAccepted} fully accepted, ${cases.withoutQueries} with no preparable query`,
    `queries:      ${queries.total} named (${queries.macro} use sqlc macros)`,
    `  SQLite prepares ${preparable}: ${queries.preparable.plain} plain + ${queries.preparable.macro} with macros (rewritten to plain SQL to check)`,
    `  SQLite cannot prepare ${unprep} (${queries.unpreparable.plain} plain, ${queries.unpreparable.macro} with macros): not counted as msb failures`,
    `accepted:     ${accepted} of ${preparable} (${pct(accepted, preparable)}): ${queries.accepted.plain} of ${queries.preparable.plain} plain, ${queries.accepted.macro} of ${queries.preparable.macro} with macros`,
    `  held only by the plan gate: ${queries.planGated} (full scans under the write lock; an index or "-- :scan-ok <reason>" admits them); ` +
      `accepted or plan-gated: ${accepted + queries.planGated} of ${preparable} (${pct(accepted + queries.planGated, preparable)})`,
    `columns:      ${columns.unknown} of ${columns.total} result columns typed unknown (${pct(columns.unknown, columns.total)}); ${columns.any} typed any (must be 0)`,
    `names:        ${names.differences.length} differences from sqlc's Go over ${names.compared} accepted queries ` +
      `(${names.paramsCompared - names.differences.filter((d) => d.kind === 'parameter').length} of ${names.paramsCompared} parameters named as sqlc names them) ` +
      `(${names.fieldsCompared} with result fields to compare; ${names.notComparable.length} accepted queries have no sqlc Go function); ` +
      `${names.differences.filter((d) => d.viaRename).length} come from dropped renames`,
    `dropped:      ${dropped.overrides} sqlc overrides, ${dropped.rename} renames, ${dropped.schemaStatements.length} schema statements SQLite refused`,
  );
  list(
    'Failure reasons (queries, example)',
    failures,
    (f) =>
      `${String(f.count).padStart(4)}  ${f.reason}\n        e.g. ${f.example.case} ${f.example.query}: ${f.example.message}`,
  );
  list(
    'Unknown result columns',
    columns.unknownList,
    (c) => `${c.case} ${c.query}.${c.column} (${c.source})`,
  );
  list(
    'Name differences (ours vs sqlc)',
    names.differences,
    (d) =>
      `${d.case} ${d.query} ${d.kind}: ${d.ours ?? '(none)'} vs ${d.sqlc ?? '(none)'}${d.viaRename ? ' [sqlc rename]' : ''}`,
  );
  list(
    'Accepted queries without a sqlc Go function',
    names.notComparable,
    (q) => `${q.case} ${q.query} (${q.source})`,
  );
  list(
    'Queries SQLite cannot prepare',
    queries.unpreparable.list,
    (q) => `${q.case} ${q.query} (${q.source}): ${q.message}`,
  );
  list(
    'Schema statements SQLite refused',
    dropped.schemaStatements,
    (s) => `${s.case} ${s.source}: ${s.message}`,
  );
  list('Skipped cases', cases.skipped, (s) => `${s.case}: ${s.reason}`);
  return `${out.join('\n')}\n`;
}
