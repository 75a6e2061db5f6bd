import { basename, join, relative } from 'node:path';
import type { Project } from 'ts-morph';
import type { AnalyzedQuery } from './analyzed-query.js';
import type { CodegenConfig } from './codegen-config.js';
import { tsMorph } from './load-cjs.js';
import { functionNameOf } from './naming.js';
import { renderFile, renderIndex } from './render-file.js';

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

  /** Renders the module of one query file (`run.sql` → `<out>/run.ts`). */
  add(file: string, queries: readonly AnalyzedQuery[]): void {
    const config = this.#config;
    const module = basename(file, '.sql');
    this.#modules.push(module);
    const source = relative(config.rootDir, join(config.queriesDir, file)).split('\\').join('/');
    this.#files.set(
      join(config.outDir, `${module}.ts`),
      renderFile(this.#project, source, queries, config.dbImport, this.#decoders, (name) =>
        functionNameOf(name, config.naming.functions),
      ),
    );
  }

  /** Adds the index and returns every file, sorted by path. */
  finish(): Map<string, string> {
    this.#files.set(join(this.#config.outDir, 'index.ts'), renderIndex(this.#modules));
    return new Map([...this.#files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}
