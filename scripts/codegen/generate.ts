import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { AnalyzedQuery } from './analyzed-query.js';
import type { CodegenConfig } from './codegen-config.js';
import { CodegenError } from './codegen-error.js';
import { describeQuery } from './describe-query.js';
import { compareDiagnostics, type Diagnostic } from './diagnostic.js';
import { MODELS_MODULE } from './models-module.js';
import { ModuleRenderer } from './module-renderer.js';
import { fieldNameOf, functionNameOf } from './naming.js';
import { parseQueryFile } from './parse-query-file.js';
import { SchemaCatalog } from './schema-catalog.js';

/**
 * The analysed queries of a project, by query file name (`run.sql`), in file name order.
 *
 * @example
 * ```ts
 * const analyzed = analyzeProject(config);
 * analyzed.get('run.sql')?.[0]?.fields;
 * ```
 */
export type AnalyzedProject = ReadonlyMap<string, readonly AnalyzedQuery[]>;

/**
 * Runs the whole pipeline in memory: parse annotations → describe with SQLite → refine with the
 * syntax tree → render with ts-morph. Returns the output files (absolute path → contents, sorted by
 * path); writes nothing.
 *
 * 1. Every problem of every query file is collected; if there is any, a {@link CodegenError}
 *    (`CODEGEN_INVALID_QUERIES`) carries them all, sorted, and no file map is returned.
 * 2. A `rename` entry that no result column or parameter uses is a `CODEGEN_CONFIG` error (reported
 *    once the queries themselves are clean).
 * 3. An empty or missing queries directory yields only the index.
 *
 * @example
 * ```ts
 * const files = generate(loadCodegenConfig('sqlc.yaml'));
 * for (const [path, text] of files) writeFileSync(path, text);
 * ```
 */
export function generate(config: CodegenConfig): Map<string, string> {
  return renderProject(config, analyzeProject(config));
}

/**
 * The first three stages: every query parsed, validated by SQLite and typed. Throws a
 * {@link CodegenError} with every problem found. `onFile` sees each file's queries as soon as they are
 * analysed (before the problems of later files are known).
 *
 * @example
 * ```ts
 * for (const [file, queries] of analyzeProject(config)) console.log(file, queries.length);
 * ```
 */
export function analyzeProject(
  config: CodegenConfig,
  onFile?: (file: string, queries: readonly AnalyzedQuery[]) => void,
): AnalyzedProject {
  const catalog = SchemaCatalog.load(config.schemaDir, config.rootDir);
  try {
    const overrides = new Map(config.overrides.map((o) => [o.column.toLowerCase(), o]));
    const rename = new Map(Object.entries(config.rename));
    const renamed = new Set<string>();
    const fieldName = (sqlName: string): string => {
      const to = rename.get(sqlName);
      if (to === undefined) return fieldNameOf(sqlName, config.naming.fields);
      renamed.add(sqlName);
      return to;
    };
    const functionName = (queryName: string): string => functionNameOf(queryName, config.naming.functions);
    const diagnostics: Diagnostic[] = [];
    const byFile = new Map<string, AnalyzedQuery[]>();
    const names = new Map<string, string>();
    for (const file of queryFiles(config.queriesDir)) {
      const path = relative(config.rootDir, join(config.queriesDir, file)).split('\\').join('/');
      if (basename(file, '.sql') === MODELS_MODULE) {
        diagnostics.push({
          path,
          line: 1,
          col: 1,
          message: `the module name ${MODELS_MODULE} is reserved for the row types queries share per table; rename the file`,
        });
      }
      const parsed = parseQueryFile(path, readFileSync(join(config.queriesDir, file), 'utf8'), functionName);
      diagnostics.push(...parsed.diagnostics);
      const queries: AnalyzedQuery[] = [];
      for (const block of parsed.blocks) {
        const first = names.get(block.name);
        if (first !== undefined) {
          diagnostics.push({
            path,
            line: block.line,
            col: 1,
            message: `duplicate query name ${block.name} (first defined at ${first})`,
          });
          continue;
        }
        names.set(block.name, `${path}:${block.line}`);
        const described = describeQuery(block, catalog, overrides, fieldName);
        diagnostics.push(...described.diagnostics);
        if (described.query !== undefined) queries.push(described.query);
      }
      byFile.set(file, queries);
      onFile?.(file, queries);
    }
    if (diagnostics.length > 0) {
      throw new CodegenError('CODEGEN_INVALID_QUERIES', diagnostics.sort(compareDiagnostics));
    }
    // Only a clean run has seen every column and parameter, so only then is an entry known unused.
    const unused = [...rename.keys()].filter((name) => !renamed.has(name));
    if (unused.length > 0) {
      throw new CodegenError(
        'CODEGEN_CONFIG',
        unused
          .map((name) => ({
            path: basename(config.configPath),
            ...(config.renameAt[name] ?? { line: 1, col: 1 }),
            message: `options.rename.${name} matches no result column or parameter of any query; remove it`,
          }))
          .sort(compareDiagnostics),
      );
    }
    return byFile;
  } finally {
    catalog.close();
  }
}

/**
 * The last stage: one module per query file plus the index, from structures with ts-morph.
 *
 * @example
 * ```ts
 * const files = renderProject(config, analyzeProject(config));
 * ```
 */
export function renderProject(config: CodegenConfig, analyzed: AnalyzedProject): Map<string, string> {
  const renderer = new ModuleRenderer(config);
  for (const [file, queries] of analyzed) renderer.add(file, queries);
  return renderer.finish();
}

function queryFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
