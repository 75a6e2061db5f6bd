import { basename, join, relative } from 'node:path';
import type { Project } from 'ts-morph';
import type { AnalyzedQuery, ResultField } from './analyzed-query.js';
import type { CodegenConfig } from './codegen-config.js';
import { tsMorph } from './load-cjs.js';
import { INDEX_MODULE, MODELS_MODULE } from './module-names.js';
import { functionNameOf } from './naming.js';
import {
  renderFile,
  renderIndex,
  renderModels,
  type SharedRow,
  type TableRowNames,
  tableRowNames,
} from './render-file.js';

/**
 * The render stage, one query file at a time (so a worker can render a file while the next one is
 * still being analysed), then the index.
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
  readonly #project: Project;
  readonly #decoders: ReadonlyMap<string, string>;
  readonly #files = new Map<string, string>();
  readonly #modules: string[] = [];
  /** Tables some query returns whole, by table name, with the row their queries share. */
  readonly #models = new Map<
    string,
    { names: TableRowNames; fields: readonly ResultField[]; bigint: boolean }
  >();
  readonly #modelNames = new Set<string>();

  constructor(config: CodegenConfig) {
    const { IndentationText, Project, QuoteKind } = tsMorph();
    this.#config = config;
    this.#project = new Project({
      useInMemoryFileSystem: true,
      manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single },
    });
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
      this.#models.set(key, { names, fields: row.fields, bigint: row.bigint });
    }
    return names;
  }

  /** Renders the module of one query file (`run.sql` → `<out>/run.ts`). */
  add(file: string, queries: readonly AnalyzedQuery[]): void {
    const config = this.#config;
    const module = basename(file, '.sql');
    this.#modules.push(module);
    const source = relative(config.rootDir, join(config.queriesDir, file)).split('\\').join('/');
    this.#files.set(
      join(config.outDir, `${module}.ts`),
      renderFile(this.#project, source, queries, {
        dbImport: config.dbImport,
        decoders: this.#decoders,
        functionName: (name) => functionNameOf(name, config.naming.functions),
        shareRow: (row, taken) => this.#shareRow(row, taken),
      }),
    );
  }

  /** Adds `models.ts` (when some query shares a table's row) and the index; returns every file, sorted by path. */
  finish(): Map<string, string> {
    const models = [...this.#models.values()];
    if (models.length > 0) {
      this.#files.set(
        join(this.#config.outDir, `${MODELS_MODULE}.ts`),
        renderModels(this.#project, models, this.#decoders),
      );
    }
    this.#files.set(
      join(this.#config.outDir, `${INDEX_MODULE}.ts`),
      renderIndex(
        this.#modules,
        models.map((m) => m.names.row),
      ),
    );
    return new Map([...this.#files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}
