import type { AnalyzedQuery } from './analyzed-query.js';
import type { Diagnostic } from './diagnostic.js';
import { oneRowProblems } from './one-row-problems.js';
import { PlanSchema } from './plan-schema.js';
import { explainQueryPlan, type PlanStep } from './query-plan.js';
import { scanProblems } from './scan-problems.js';
import type { SchemaCatalog } from './schema-catalog.js';
import { type StatementShape, statementShape } from './statement-shape.js';

/**
 * The checks of a described query's plan on the schema's in-memory database: the scan gate
 * ({@link scanProblems}) and the `:one` cardinality check ({@link oneRowProblems}). The statement is
 * parsed only when the plan alone cannot decide. Each diagnostic carries its severity.
 *
 * @example
 * ```ts
 * const problems = queryPlanProblems(query, catalog);
 * const failed = problems.some((p) => p.severity !== 'warning');
 * ```
 */
export function queryPlanProblems(query: AnalyzedQuery, catalog: SchemaCatalog): Diagnostic[] {
  const { block } = query;
  let steps: PlanStep[];
  try {
    steps = explainQueryPlan(
      catalog.db,
      block.sql,
      query.params.map((p) => p.binding),
    );
  } catch (err) {
    // The statement was prepared and bound already, so this is a generator bug; saying nothing would
    // let every scan in the query through.
    const message = err instanceof Error ? err.message : String(err);
    return [
      {
        path: block.path,
        line: block.line,
        col: 1,
        message: `${block.name}: the query plan could not be checked (EXPLAIN QUERY PLAN failed: ${message})`,
      },
    ];
  }
  const schema = PlanSchema.of(catalog.db);
  let parsed: { shape: StatementShape | undefined } | undefined;
  const shape = (): StatementShape | undefined => {
    parsed ??= { shape: statementShape(block.sql) };
    return parsed.shape;
  };
  return [...scanProblems(block, steps, schema, shape), ...oneRowProblems(block, steps, schema, shape)];
}
