import { createRequire } from 'node:module';
import type * as SqlParserCst from 'sql-parser-cst';
import type * as TsMorph from 'ts-morph';
import type * as TypeScript from 'typescript';
import type * as Yaml from 'yaml';

const require = createRequire(import.meta.url);

/**
 * ts-morph, loaded with `require`: an ESM `import` of this CommonJS package makes Node scan its source
 * for export names first, which costs more than a tenth of a second on every run.
 *
 * @example
 * ```ts
 * const { Project } = tsMorph();
 * ```
 */
export function tsMorph(): typeof TsMorph {
  return require('ts-morph') as typeof TsMorph;
}

/**
 * The project's TypeScript compiler (the one `tsc` compiles the generated code with), loaded with
 * `require` for the same reason as {@link tsMorph}; without ts-morph around it, it loads in two thirds
 * of the time.
 *
 * @example
 * ```ts
 * const file = typescript().createSourceFile('x.ts', text, typescript().ScriptTarget.Latest);
 * ```
 */
export function typescript(): typeof TypeScript {
  return require('typescript') as typeof TypeScript;
}

/**
 * sql-parser-cst, loaded with `require` for the same reason as {@link tsMorph}.
 *
 * @example
 * ```ts
 * const program = sqlParserCst().parse('SELECT 1', { dialect: 'sqlite' });
 * ```
 */
export function sqlParserCst(): typeof SqlParserCst {
  return require('sql-parser-cst') as typeof SqlParserCst;
}

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
