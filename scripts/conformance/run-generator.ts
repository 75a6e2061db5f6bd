import type { AnalyzedQuery } from '../codegen/analyzed-query.js';
import { loadCodegenConfig } from '../codegen/codegen-config.js';
import { CodegenError } from '../codegen/codegen-error.js';
import type { Diagnostic } from '../codegen/diagnostic.js';
import { analyzeProject, renderProject } from '../codegen/generate.js';
import type { ConvertedCase, ConvertedQuery } from './convert-case.js';

/**
 * What msb's generator made of one converted query: the analysed query when it was accepted, else
 * the messages of the diagnostics that point into its block (or, when none does, those of the whole
 * project: a configuration or schema problem).
 *
 * @example
 * ```ts
 * const outcome: QueryOutcome = { query: undefined, messages: ['GetX: no such column: y'] };
 * ```
 */
export interface QueryOutcome {
  readonly query: AnalyzedQuery | undefined;
  readonly messages: readonly string[];
}

/**
 * Runs msb's generator in-process on a converted case: `loadCodegenConfig`, `analyzeProject` (every
 * query file, collecting each file's accepted queries as it goes, so one bad query does not hide the
 * others), then `renderProject` on the accepted ones, so a query that breaks rendering is not counted
 * as accepted.
 *
 * @example
 * ```ts
 * const outcomes = runGenerator(convertCase(sqlcCase, dir));
 * outcomes.get(converted.queries[0])?.query?.fields;
 * ```
 */
export function runGenerator(converted: ConvertedCase): Map<ConvertedQuery, QueryOutcome> {
  const byBlock = new Map<string, AnalyzedQuery>();
  const byFile = new Map<string, AnalyzedQuery[]>();
  let diagnostics: readonly Diagnostic[] = [];
  const written = converted.queries.filter((q) => q.at !== undefined);
  if (written.length > 0) {
    try {
      const config = loadCodegenConfig(converted.configPath);
      try {
        analyzeProject(config, (file, queries) => {
          byFile.set(file, [...queries]);
          for (const q of queries) byBlock.set(`${q.block.path}:${q.block.line}`, q);
        });
      } catch (err) {
        if (!(err instanceof CodegenError)) throw err;
        diagnostics = err.diagnostics;
      }
      try {
        renderProject(config, byFile);
      } catch (err) {
        const message = `render: ${(err as Error).message.split('\n')[0]}`;
        diagnostics = [
          ...diagnostics,
          ...[...byBlock.values()].map((q) => ({ path: q.block.path, line: q.block.line, col: 1, message })),
        ];
        byBlock.clear();
      }
    } catch (err) {
      const message =
        err instanceof CodegenError
          ? err.diagnostics.map((d) => d.message).join('; ')
          : `generator crashed: ${(err as Error).message.split('\n')[0]}`;
      diagnostics = [{ path: '', line: 0, col: 0, message }];
    }
  }
  const inBlock = (d: Diagnostic, q: ConvertedQuery): boolean =>
    q.at !== undefined && d.path === q.at.file && d.line >= q.at.from && d.line <= q.at.to;
  const projectWide = diagnostics.filter((d) => !written.some((q) => inBlock(d, q))).map((d) => d.message);
  const outcomes = new Map<ConvertedQuery, QueryOutcome>();
  for (const q of written) {
    const own = diagnostics.filter((d) => inBlock(d, q)).map((d) => d.message);
    const query =
      own.length === 0 && q.at !== undefined ? byBlock.get(`${q.at.file}:${q.at.from}`) : undefined;
    outcomes.set(q, {
      query,
      messages:
        query !== undefined
          ? []
          : own.length > 0
            ? own
            : projectWide.length > 0
              ? projectWide
              : ['not accepted, and no diagnostic says why'],
    });
  }
  return outcomes;
}
