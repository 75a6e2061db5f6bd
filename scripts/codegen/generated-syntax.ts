import type * as ts from 'typescript';
import { ContentCache, fileIdentity } from './content-cache.js';
import type { Diagnostic } from './diagnostic.js';
import { typescript as loadTypescript } from './load-cjs.js';
import type { QueryBlock } from './query-block.js';

/**
 * One generated module and where its code came from: `sources` are the queries (or tables) whose code
 * it holds, each starting at the first occurrence of its `marker` text, so a position in the module
 * maps back to the query it belongs to.
 *
 * @example
 * ```ts
 * const module: GeneratedModule = { path: 'src/generated/run.ts', text, sources: [{ marker: '\nconst LOAD_RUN_SQL = ', block, what: 'LoadRun' }] };
 * ```
 */
export interface GeneratedModule {
  /** The module, relative to the configuration's directory. */
  readonly path: string;
  readonly text: string;
  readonly sources: readonly {
    readonly marker: string;
    readonly block: QueryBlock;
    /** How a message names the code: the query name, or what else the query caused to be generated. */
    readonly what: string;
  }[];
}

/**
 * Parses each module with TypeScript's parser and returns one problem per query whose code does not
 * parse (its first error; later ones are usually the same error seen again), located at the query's
 * `-- name:` line and quoting the error's place in the module. An error before any query's code (the
 * imports) is located in the module itself. Cheap: parsing only, no type checking.
 *
 * A problem here is a bug in the generator, never in the query; the run must fail rather than write
 * a module that does not parse.
 *
 * @example
 * ```ts
 * const problems = generatedSyntaxProblems([{ path: 'out/run.ts', text: 'const = ;', sources: [] }]);
 * problems[0]?.message; // 'the generated module does not parse: Variable declaration expected. …'
 * ```
 */
export function generatedSyntaxProblems(
  modules: readonly GeneratedModule[],
  accepted?: ContentCache,
): Diagnostic[] {
  const problems: Diagnostic[] = [];
  for (const module of modules) {
    if (accepted?.get([module.text]) !== undefined) continue;
    const typescript = loadTypescript();
    const file = parse(typescript, module);
    // `parseDiagnostics` is what the parser found; it is not in TypeScript's public typings.
    const errors = (file as unknown as { parseDiagnostics: readonly ts.DiagnosticWithLocation[] })
      .parseDiagnostics;
    if (errors.length === 0) {
      accepted?.set([module.text], new Uint8Array());
      continue;
    }
    const starts = module.sources
      .map((s) => ({ source: s, at: module.text.indexOf(s.marker) }))
      .filter((s) => s.at >= 0)
      .sort((a, b) => a.at - b.at);
    const seen = new Set<unknown>();
    for (const error of errors) {
      const source = starts.findLast((s) => s.at <= error.start)?.source;
      if (seen.has(source)) continue;
      seen.add(source);
      const pos = file.getLineAndCharacterOfPosition(error.start);
      const lineText = module.text.split('\n')[pos.line]?.trim() ?? '';
      const what = `${typescript.flattenDiagnosticMessageText(error.messageText, ' ')} at ${module.path}:${pos.line + 1}:${pos.character + 1} (${JSON.stringify(lineText.length > 80 ? `${lineText.slice(0, 77)}...` : lineText)}); this is a bug in the generator, not in the query`;
      problems.push(
        source === undefined
          ? {
              path: module.path,
              line: pos.line + 1,
              col: pos.character + 1,
              message: `the generated module does not parse: ${what}`,
            }
          : {
              path: source.block.path,
              line: source.block.line,
              col: 1,
              message: `${source.what}: the generated code does not parse: ${what}`,
            },
      );
    }
  }
  return problems;
}

/**
 * The module texts {@link generatedSyntaxProblems} needs not parse again: those this TypeScript,
 * parsing the way it does, accepted before (a {@link ContentCache}; only accepted texts are kept, so a
 * module that does not parse is parsed, and reported, every run). A run whose modules come out as
 * before then never loads TypeScript.
 *
 * @example
 * ```ts
 * const problems = generatedSyntaxProblems(modules, acceptedModules());
 * ```
 */
export function acceptedModules(): ContentCache {
  // The parse function's own text stands for how it is called: changing its options is another parser.
  return ContentCache.open('parsed-modules', `${fileIdentity(['typescript'])}\n${parse.toString()}`);
}

function parse(typescript: typeof ts, module: GeneratedModule): ts.SourceFile {
  // JSDoc is not parsed: in a .ts file its errors are dropped anyway (they are only reported for
  // JavaScript), and skipping it saves about a third of the parse.
  return typescript.createSourceFile(
    module.path,
    module.text,
    {
      languageVersion: typescript.ScriptTarget.Latest,
      jsDocParsingMode: typescript.JSDocParsingMode.ParseNone,
    },
    false,
    typescript.ScriptKind.TS,
  );
}
