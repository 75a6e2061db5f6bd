import { readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { AnalysisCache, AnalyzedFile } from './analysis-cache.js';
import type { AnalyzedQuery } from './analyzed-query.js';
import type { CodegenConfig, ColumnOverride } from './codegen-config.js';
import { CodegenError } from './codegen-error.js';
import { describeQuery } from './describe-query.js';
import { compareDiagnostics, type Diagnostic } from './diagnostic.js';
import { moduleNameProblems } from './module-names.js';
import { ModuleRenderer } from './module-renderer.js';
import { fieldNameOf, functionNameOf } from './naming.js';
import { parseQueryFile } from './parse-query-file.js';
import { listProjectFiles } from './project-files.js';
import type { QueryBlock } from './query-block.js';
import { queryPlanProblems } from './query-plan-problems.js';
import { resolveOverrides } from './resolve-overrides.js';
import { SchemaCatalog } from './schema-catalog.js';
import { readSchemaTexts, type SchemaTexts } from './schema-texts.js';
import { strictLintWarnings } from './strict-lint.js';

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
 * syntax tree → render as text → check that every module parses. Returns the output files (absolute path → contents, sorted by
 * path); writes nothing.
 *
 * 1. A missing or empty schema or queries directory is a `CODEGEN_CONFIG` error (see
 *    {@link listProjectFiles}), never a project without queries; so is an override of a column the
 *    schema does not have, or of the wrong type.
 * 2. Every problem of every query file is collected; if there is any, a {@link CodegenError}
 *    (`CODEGEN_INVALID_QUERIES`) carries them all, sorted, and no file map is returned.
 * 3. A `rename` entry that no result column or parameter uses is a `CODEGEN_CONFIG` error (reported
 *    once the queries themselves are clean).
 * 4. Warnings (a scan in a `:read` query, a `:one` query not limited to one row, with
 *    `options.strict_lint` a table that is not STRICT) go to `warnings`.
 * 5. A generated module that does not parse (a generator bug) is a `CODEGEN_UNPARSABLE_OUTPUT` error
 *    located at the query whose code it is; no file map is returned.
 *
 * @example
 * ```ts
 * const files = generate(loadCodegenConfig('sqlc.yaml'));
 * for (const [path, text] of files) writeFileSync(path, text);
 * ```
 */
export function generate(
  config: CodegenConfig,
  warnings?: Diagnostic[],
  cache?: (schemaTexts: SchemaTexts) => AnalysisCache | undefined,
): Map<string, string> {
  return renderProject(config, analyzeProject(config, undefined, warnings, cache));
}

/**
 * The first three stages: every query parsed, validated by SQLite and typed, and its plan checked
 * (see {@link queryPlanProblems}). Throws a {@link CodegenError} with every error found. `onFile` sees
 * each file's queries as soon as they are analysed (before the problems of later files are known).
 * Warnings fail nothing: they are appended to `warnings`, sorted, whether the run succeeds or not.
 * `cache` (the CLI passes one) opens the {@link AnalysisCache} for the project's schema files: a query
 * file found there is not analysed again, and one analysed without error is kept there.
 *
 * @example
 * ```ts
 * for (const [file, queries] of analyzeProject(config)) console.log(file, queries.length);
 * ```
 */
export function analyzeProject(
  config: CodegenConfig,
  onFile?: (file: string, queries: readonly AnalyzedQuery[]) => void,
  warnings?: Diagnostic[],
  cache?: (schemaTexts: SchemaTexts) => AnalysisCache | undefined,
): AnalyzedProject {
  const files = listProjectFiles(config);
  const schemaTexts = readSchemaTexts(config.schemaDir, files.schemaFiles);
  const analyzed = cache?.(schemaTexts);
  // The schema is loaded for the first file not in the cache: a file found there was analysed with
  // this very schema and configuration, which were valid then.
  let loaded:
    | { readonly catalog: SchemaCatalog; readonly overrides: Map<string, ColumnOverride> }
    | undefined;
  const schema = (): NonNullable<typeof loaded> => {
    if (loaded === undefined) {
      const catalog = SchemaCatalog.load(config.schemaDir, config.rootDir, files.schemaFiles, schemaTexts);
      loaded = { catalog, overrides: resolveOverrides(config, catalog) };
    }
    return loaded;
  };
  const warned: Diagnostic[] = [];
  try {
    // The lint's warnings are reported on every run, so it needs the schema even when every file is
    // found in the cache.
    if (analyzed === undefined || config.strictLint) schema();
    if (config.strictLint) {
      const { catalog, overrides } = schema();
      warned.push(...strictLintWarnings(config, catalog, overrides, schemaTexts));
    }
    const rename = new Map(Object.entries(config.rename));
    const renamed = new Set<string>();
    let renamedHere = new Set<string>();
    const fieldName = (sqlName: string): string => {
      const to = rename.get(sqlName);
      if (to === undefined) return fieldNameOf(sqlName, config.naming.fields);
      renamedHere.add(sqlName);
      return to;
    };
    const functionName = (queryName: string): string => functionNameOf(queryName, config.naming.functions);
    const diagnostics: Diagnostic[] = [];
    const byFile = new Map<string, AnalyzedQuery[]>();
    const names = new Map<string, string>();
    const shown = (path: string): string => relative(config.rootDir, path).split('\\').join('/');
    diagnostics.push(
      ...moduleNameProblems(
        files.queryFiles,
        (file) => shown(join(config.queriesDir, file)),
        shown(config.outDir),
      ),
    );
    for (const file of files.queryFiles) {
      if (!file.endsWith('.sql')) continue;
      const path = shown(join(config.queriesDir, file));
      let text: string;
      try {
        text = readFileSync(join(config.queriesDir, file), 'utf8');
      } catch (err) {
        diagnostics.push({
          path,
          line: 1,
          col: 1,
          message: `cannot read the query file: ${(err as Error).message}`,
        });
        continue;
      }
      // A name used twice is checked across files whether the file is analysed or found in the cache.
      const named = (block: QueryBlock): boolean => {
        const first = names.get(block.name);
        if (first !== undefined) {
          diagnostics.push({
            path,
            line: block.line,
            col: 1,
            message: `duplicate query name ${block.name} (first defined at ${first})`,
          });
          return false;
        }
        names.set(block.name, `${path}:${block.line}`);
        return true;
      };
      const queries: AnalyzedQuery[] = [];
      const found = analyzed?.get(file, text);
      if (found !== undefined) {
        for (const { query, warnings: own } of found.queries) {
          if (!named(query.block)) continue;
          warned.push(...own);
          queries.push(query);
        }
        for (const name of found.renamed) renamed.add(name);
        byFile.set(file, queries);
        onFile?.(file, queries);
        continue;
      }
      // Loaded before anything of a file not found is looked at, so a broken schema or override is
      // reported, alone, exactly as without the cache.
      const { catalog, overrides } = schema();
      const errorsBefore = diagnostics.length;
      renamedHere = new Set();
      const entry: AnalyzedFile['queries'][number][] = [];
      const parsed = parseQueryFile(path, text, functionName);
      diagnostics.push(...parsed.diagnostics);
      for (const block of parsed.blocks) {
        if (!named(block)) continue;
        const own: Diagnostic[] = [];
        const described = describeQuery(block, catalog, overrides, fieldName);
        for (const problem of described.diagnostics) {
          (problem.severity === 'warning' ? own : diagnostics).push(problem);
        }
        if (described.query !== undefined) {
          for (const problem of queryPlanProblems(described.query, catalog)) {
            (problem.severity === 'warning' ? own : diagnostics).push(problem);
          }
          queries.push(described.query);
          entry.push({ query: described.query, warnings: own });
        }
        warned.push(...own);
      }
      for (const name of renamedHere) renamed.add(name);
      // Kept only without errors, the schema and the overrides valid: a run that finds every file
      // here has nothing left to report.
      if (diagnostics.length === errorsBefore && entry.length === parsed.blocks.length) {
        analyzed?.set(file, text, { queries: entry, renamed: [...renamedHere] });
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
    warnings?.push(...warned.sort(compareDiagnostics));
    loaded?.catalog.close();
  }
}

/**
 * The last stage: one module per query file plus the index, each checked to parse (a
 * `CODEGEN_UNPARSABLE_OUTPUT` {@link CodegenError} otherwise; see {@link ModuleRenderer}). Every way
 * of running the generator renders through here or through {@link ModuleRenderer} in a worker.
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
