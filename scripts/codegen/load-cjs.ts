import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as SqlParserCst from 'sql-parser-cst';
import type * as TypeScript from 'typescript';
import type * as Yaml from 'yaml';
import { requireWithCodeCache } from './code-cache.js';

const require = createRequire(import.meta.url);

/**
 * The project's TypeScript compiler (the one `tsc` compiles the generated code with), loaded with
 * `require`: an ESM `import` of a CommonJS package makes Node scan its source for export names first,
 * which costs more than a tenth of a second on every run. It loads through V8's code cache (see
 * {@link requireWithCodeCache}) in a third of the time.
 *
 * @example
 * ```ts
 * const file = typescript().createSourceFile('x.ts', text, typescript().ScriptTarget.Latest);
 * ```
 */
export function typescript(): typeof TypeScript {
  loadedTypescript ??= requireWithCodeCache(require.resolve('typescript')) as typeof TypeScript;
  return loadedTypescript;
}
let loadedTypescript: typeof TypeScript | undefined;

/**
 * sql-parser-cst, loaded with `require` for the same reason as {@link typescript}; its grammar (megabytes
 * of generated parser) through V8's code cache (see {@link requireWithCodeCache}).
 *
 * @example
 * ```ts
 * const program = sqlParserCst().parse('SELECT 1', { dialect: 'sqlite' });
 * ```
 */
export function sqlParserCst(): typeof SqlParserCst {
  if (loadedSqlParserCst === undefined) {
    requireWithCodeCache(join(dirname(require.resolve('sql-parser-cst')), 'parser.js'));
    loadedSqlParserCst = require('sql-parser-cst') as typeof SqlParserCst;
  }
  return loadedSqlParserCst;
}
let loadedSqlParserCst: typeof SqlParserCst | undefined;

/**
 * yaml's CommonJS build, loaded with `require` (its ESM entry is dozens of modules, each resolved
 * through the TypeScript loader's hooks).
 *
 * @example
 * ```ts
 * const doc = yaml().parseDocument('version: "2"');
 * ```
 */
export function yaml(): typeof Yaml {
  return require('yaml') as typeof Yaml;
}
