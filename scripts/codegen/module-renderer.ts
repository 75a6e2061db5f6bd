import { basename, join, relative } from 'node:path';
import type { AnalyzedQuery, ResultField } from './analyzed-query.js';
import type { CodegenConfig } from './codegen-config.js';
import { CodegenError } from './codegen-error.js';
import { compareDiagnostics, type Diagnostic } from './diagnostic.js';
import { acceptedModules, type GeneratedModule, generatedSyntaxProblems } from './generated-syntax.js';
import { INDEX_MODULE, MODELS_MODULE } from './module-names.js';
import { functionNameOf } from './naming.js';
import type { QueryBlock } from './query-block.js';
import {
  renderFile,
  renderIndex,
  renderModels,
  type SharedRow,
  sqlConstantName,
  type TableRowNames,
  tableRowNames,
} from './render-file.js';

/**
 * The render stage, one query file at a time (so a worker can render and parse-check a file while
 * the next one is still being analysed), then the index. Every module it makes is parsed (see
 * {@link generatedSyntaxProblems}); `finish` throws a {@link CodegenError} (`CODEGEN_UNPARSABLE_OUTPUT`)
 * naming each query whose code does not parse, so no caller can write such a module.
 *
 * @example
 * ```ts
 * const renderer = new ModuleRenderer(config);
 * for (const [file, queries] of analyzeProject(config)) renderer.add(file, queries);
 * const files = renderer.finish(); // absolute path → contents, sorted, index included
 * ```
 */
export class ModuleRenderer {
  readonly #config: CodegenConfig;
  readonly #decoders: ReadonlyMap<string, string>;
  readonly #files = new Map<string, string>();
  readonly #modules: string[] = [];
  /** Tables some query returns whole, by table name, with the row their queries share. */
  readonly #models = new Map<
    string,
    { names: TableRowNames; fields: readonly ResultField[]; bigint: boolean; first: QueryBlock }
  >();
  readonly #modelNames = new Set<string>();
  /** What the parse check found so far, in every module made. */
  readonly #syntaxProblems: Diagnostic[] = [];
  /** Module texts parsed before, by earlier runs: not parsed again. */
  readonly #accepted = acceptedModules();

  constructor(config: CodegenConfig) {
    this.#config = config;
    this.#decoders = new Map(
      config.overrides.flatMap((o) =>
        o.decode === undefined ? [] : [[o.decode.name, o.decode.from] as const],
      ),
    );
  }

  /**
   * The shared row of `row.table`, registered on first use; `undefined` (the query declares its own)
   * when a name would clash with one the module or another table already uses, or when the row is read
   * in another integer mode than the shared one.
   */
  #shareRow(row: SharedRow, taken: ReadonlySet<string>): TableRowNames | undefined {
    const key = row.table.toLowerCase();
    const known = this.#models.get(key);
    if (known !== undefined && known.bigint !== row.bigint) return undefined;
    const names = known?.names ?? tableRowNames(row.table);
    if (names === undefined) return undefined;
    const own = [names.row, names.raw, names.toRow];
    if (own.some((n) => taken.has(n) || this.#decoders.has(n))) return undefined;
    if (known === undefined) {
      if (own.some((n) => this.#modelNames.has(n))) return undefined;
      for (const n of own) this.#modelNames.add(n);
      this.#models.set(key, { names, fields: row.fields, bigint: row.bigint, first: row.block });
    }
    return names;
  }

  /** Renders the module of one query file (`run.sql` → `<out>/run.ts`). */
  add(file: string, queries: readonly AnalyzedQuery[]): void {
    const config = this.#config;
    const module = basename(file, '.sql');
    this.#modules.push(module);
    const source = relative(config.rootDir, join(config.queriesDir, file)).split('\\').join('/');
    const path = join(config.outDir, `${module}.ts`);
    this.#set(
      path,
      renderFile(source, queries, {
        dbImport: config.dbImport,
        decoders: this.#decoders,
        functionName: (name) => functionNameOf(name, config.naming.functions),
        shareRow: (row, taken) => this.#shareRow(row, taken),
      }),
      queries.map((q) => ({
        marker: `\nconst ${sqlConstantName(q.block.name)} = `,
        block: q.block,
        what: q.block.name,
      })),
    );
  }

  /** Keeps a module and parse-checks it now, while later files are still being analysed. */
  #set(path: string, text: string, sources: GeneratedModule['sources']): void {
    this.#files.set(path, text);
    this.#syntaxProblems.push(
      ...generatedSyntaxProblems(
        [{ path: relative(this.#config.rootDir, path).split('\\').join('/'), text, sources }],
        this.#accepted,
      ),
    );
  }

  /**
   * Adds `models.ts` (when some query shares a table's row) and the index; returns every file, sorted
   * by path, once each has been parsed.
   */
  finish(): Map<string, string> {
    const models = [...this.#models.values()];
    if (models.length > 0) {
      this.#set(
        join(this.#config.outDir, `${MODELS_MODULE}.ts`),
        renderModels(models, this.#decoders, this.#config.dbImport),
        models.map((m) => ({
          marker: `\nexport interface ${m.names.row} {`,
          block: m.first,
          what: `${m.first.name} (the row type of table ${m.names.table}, in ${MODELS_MODULE}.ts)`,
        })),
      );
    }
    this.#set(
      join(this.#config.outDir, `${INDEX_MODULE}.ts`),
      renderIndex(
        this.#modules,
        models.map((m) => m.names.row),
      ),
      [],
    );
    const problems = [...this.#syntaxProblems];
    if (problems.length > 0) {
      throw new CodegenError('CODEGEN_UNPARSABLE_OUTPUT', problems.sort(compareDiagnostics));
    }
    return new Map([...this.#files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}
