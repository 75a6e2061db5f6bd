import { readdirSync, statSync } from 'node:fs';
import { basename, relative } from 'node:path';
import type { CodegenConfig } from './codegen-config.js';
import { CodegenError } from './codegen-error.js';
import type { Diagnostic } from './diagnostic.js';

/**
 * The input files a configuration names, listed and checked before anything is generated.
 *
 * @example
 * ```ts
 * const { queryFiles } = listProjectFiles(config); // ['run.sql', 'sandbox.sql']
 * ```
 */
export interface ProjectFiles {
  /** `*.sql` file names in the schema directory, in name order. */
  readonly schemaFiles: readonly string[];
  /** File names in the queries directory ending in `.sql` in any case, in name order. */
  readonly queryFiles: readonly string[];
}

/**
 * Lists the schema and query files, refusing a layout that cannot be what the user meant. A wrong
 * path must fail the run: generating from nothing would delete every generated module.
 *
 * 1. `schema` and `queries` must be existing directories, each holding at least one `.sql` file.
 * 2. `out`, when it exists, must be a directory.
 * 3. Every problem is a {@link CodegenError} `CODEGEN_CONFIG` pointing at the key in the
 *    configuration and naming the path.
 *
 * @example
 * ```ts
 * const files = listProjectFiles(loadCodegenConfig('sqlc.yaml'));
 * ```
 */
export function listProjectFiles(config: CodegenConfig): ProjectFiles {
  const problems: Diagnostic[] = [];
  const fail = (key: 'schema' | 'queries' | 'out', message: string): void => {
    const label = key === 'out' ? 'sql[0].codegen[].out' : `sql[0].${key}`;
    problems.push({
      path: basename(config.configPath),
      ...config.pathAt[key],
      message: `${label}: ${message}`,
    });
  };
  const shown = (dir: string): string =>
    JSON.stringify(relative(config.rootDir, dir).split('\\').join('/') || '.');
  const list = (key: 'schema' | 'queries', dir: string, isSql: (name: string) => boolean): string[] => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      fail(
        key,
        code === 'ENOENT'
          ? `the directory ${shown(dir)} does not exist`
          : code === 'ENOTDIR'
            ? `${shown(dir)} is a file; it must be the directory holding the ${key} files`
            : `cannot read the directory ${shown(dir)}: ${(err as Error).message}`,
      );
      return [];
    }
    const files = names.filter(isSql).sort();
    if (files.length === 0) {
      fail(
        key,
        key === 'queries'
          ? `the directory ${shown(dir)} holds no .sql files; refusing to generate, which would delete every generated module`
          : `the directory ${shown(dir)} holds no .sql files, so no query could name a table`,
      );
    }
    return files;
  };
  const schemaFiles = list('schema', config.schemaDir, (f) => f.endsWith('.sql'));
  const queryFiles = list('queries', config.queriesDir, (f) => /\.sql$/i.test(f));
  try {
    if (!statSync(config.outDir).isDirectory()) {
      fail('out', `${shown(config.outDir)} is a file; it must be the directory the generated modules go to`);
    }
  } catch (err) {
    // A missing output directory is created by the first run that writes.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') fail('out', (err as Error).message);
  }
  if (problems.length > 0) throw new CodegenError('CODEGEN_CONFIG', problems);
  return { schemaFiles, queryFiles };
}
