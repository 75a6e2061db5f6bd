import { basename } from 'node:path';
import type { Diagnostic } from './diagnostic.js';

/**
 * The generated module holding the row types queries share per table (`models.ts`, as sqlc calls
 * them); a query file cannot have this name.
 *
 * @example
 * ```ts
 * join(config.outDir, `${MODELS_MODULE}.ts`);
 * ```
 */
export const MODELS_MODULE = 'models';

/**
 * The generated barrel re-exporting every module (`index.ts`); a query file cannot have this name.
 *
 * @example
 * ```ts
 * join(config.outDir, `${INDEX_MODULE}.ts`);
 * ```
 */
export const INDEX_MODULE = 'index';

const GENERATED: Readonly<Record<string, string>> = {
  [INDEX_MODULE]: 'the barrel re-exporting every module',
  [MODELS_MODULE]: 'the module of the row types queries share per table',
};

/**
 * Query files whose module (`run.sql` → `<out>/run.ts`) cannot be written as its own file, one
 * diagnostic each, naming both files.
 *
 * 1. The extension must be `.sql` in lower case (the module name drops exactly that).
 * 2. A module may not be, or differ only in case from, a generated file (`index.ts`, `models.ts`):
 *    it would replace it, and one of them would be lost.
 * 3. Two modules may not differ only in case: they are one file on case-insensitive file systems.
 *
 * @example
 * ```ts
 * moduleNameProblems(['index.sql'], (f) => `queries/${f}`, 'src/generated');
 * // [{ path: 'queries/index.sql', line: 1, col: 1, message: 'its module would be src/generated/index.ts, …' }]
 * ```
 */
export function moduleNameProblems(
  files: readonly string[],
  shownFile: (file: string) => string,
  outShown: string,
): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const report = (file: string, message: string): void => {
    problems.push({ path: shownFile(file), line: 1, col: 1, message });
  };
  const first = new Map<string, string>();
  for (const file of files) {
    if (!file.endsWith('.sql')) {
      report(
        file,
        `query files must end in .sql (lower case); rename it to ${basename(file, file.slice(-4))}.sql`,
      );
      continue;
    }
    const module = basename(file, '.sql');
    const key = module.toLowerCase();
    const generated = GENERATED[key];
    if (generated !== undefined) {
      report(
        file,
        module === key
          ? `its module would be ${outShown}/${key}.ts, which the generator writes as ${generated}, so its queries would be lost; rename the file`
          : `its module ${outShown}/${module}.ts differs only in case from the generated ${outShown}/${key}.ts (${generated}), one file on case-insensitive file systems; rename the file`,
      );
      continue;
    }
    const clash = first.get(key);
    if (clash === undefined) {
      first.set(key, file);
    } else {
      report(
        file,
        `its module ${outShown}/${module}.ts and ${outShown}/${basename(clash, '.sql')}.ts of ${shownFile(clash)} differ only in case, one file on case-insensitive file systems; rename one of them`,
      );
    }
  }
  return problems;
}
