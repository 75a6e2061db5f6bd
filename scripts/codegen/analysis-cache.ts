import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { AnalyzedQuery } from './analyzed-query.js';
import type { CodegenConfig } from './codegen-config.js';
import { ContentCache, fileIdentity } from './content-cache.js';
import type { Diagnostic } from './diagnostic.js';
import type { SchemaTexts } from './schema-texts.js';

/**
 * What analysing one query file produced, when it produced no error: each query with its warnings, and
 * the `rename` entries its fields and parameters used.
 *
 * @example
 * ```ts
 * const entry: AnalyzedFile = { queries: [{ query, warnings: [] }], renamed: ['sandbox_id'] };
 * ```
 */
export interface AnalyzedFile {
  readonly queries: readonly { readonly query: AnalyzedQuery; readonly warnings: readonly Diagnostic[] }[];
  readonly renamed: readonly string[];
}

/**
 * Analysed query files kept between runs (a {@link ContentCache}), so `codegen:check` after `codegen`,
 * and a run after editing one file, analyse only what changed: parsing and describing the queries is
 * most of a run.
 *
 * An entry is found by everything its analysis read, so it is never stale:
 * 1. per store (the salt): the generator's own sources (the hash the launcher names its bundle by),
 *    Node's version, the SQL parser and SQLite (their files' identities), the whole configuration
 *    as loaded, and every schema file's name and text (the very texts the run analyses with: the
 *    schema is read once per run, see {@link SchemaTexts});
 * 2. per entry: the query file's name and text.
 *
 * Only files without errors are kept, so a problem is always found again and reported. Whatever crosses
 * files (a query name used twice, which `rename` entries are used, the module names) is checked again
 * on every run from the entries.
 *
 * @example
 * ```ts
 * const cache = AnalysisCache.open(config, schemaTexts, bundledGeneratorId());
 * const entry = cache?.get('run.sql', text);
 * ```
 */
export class AnalysisCache {
  readonly #store: ContentCache;

  /** A cache over `store`, whose salt must say everything but the query file (see the class). */
  constructor(store: ContentCache) {
    this.#store = store;
  }

  /**
   * The project's cache (in the store under `root`, by default the project's; see
   * {@link ContentCache.open}), or `undefined` when there is no generator identity (running from
   * source) or a schema file cannot be read (the analysis reports that).
   */
  static open(
    config: CodegenConfig,
    schemaTexts: SchemaTexts,
    generator: string | undefined,
    root?: string,
  ): AnalysisCache | undefined {
    if (generator === undefined) return undefined;
    const salt = [
      generator,
      process.version,
      process.arch,
      fileIdentity([
        'sql-parser-cst/package.json',
        'sql-parser-cst/lib/parser.js',
        'better-sqlite3/package.json',
        'better-sqlite3/build/Release/better_sqlite3.node',
      ]),
      JSON.stringify(config),
    ];
    for (const [file, text] of schemaTexts) {
      if (text instanceof Error) return undefined;
      salt.push(file, text);
    }
    return new AnalysisCache(
      ContentCache.open('analysis', salt.map((part) => `${part.length}:${part}`).join(''), root),
    );
  }

  /** The analysis of query file `file` whose text is `text`, as an earlier run found it. */
  get(file: string, text: string): AnalyzedFile | undefined {
    const stored = this.#store.get([file, text]);
    if (stored === undefined) return undefined;
    try {
      return deserialize(stored) as AnalyzedFile;
    } catch {
      return undefined;
    }
  }

  /** Keeps the analysis of a query file that had no error. */
  set(file: string, text: string, analyzed: AnalyzedFile): void {
    this.#store.set([file, text], serialize(analyzed));
  }
}

/**
 * The generator's identity when it runs as the launcher's bundle (`scripts/codegen-launch.mjs` names
 * the bundle's directory by a hash of every generator source); `undefined` when it runs from source.
 *
 * @example
 * ```ts
 * const cache = AnalysisCache.open(config, schemaTexts, bundledGeneratorId());
 * ```
 */
export function bundledGeneratorId(): string | undefined {
  if (!import.meta.url.endsWith('.mjs')) return undefined;
  const dir = basename(dirname(fileURLToPath(import.meta.url)));
  return /^[0-9a-f]{16}$/.test(dir) ? dir : undefined;
}
