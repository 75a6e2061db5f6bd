import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The golden cases directory. */
export const CASES_DIR = resolve(import.meta.dirname, '../fixtures/codegen');

/** One golden case folder. */
export interface CodegenCase {
  readonly name: string;
  readonly dir: string;
  readonly config: string;
  /** `expected-error.txt` when the case must fail, else `undefined`. */
  readonly errorFile: string | undefined;
}

/**
 * Every golden case under `test/fixtures/codegen/`, in name order.
 *
 * @example
 * ```ts
 * for (const c of codegenCases()) console.log(c.name);
 * ```
 */
export function codegenCases(): CodegenCase[] {
  return readdirSync(CASES_DIR)
    .sort()
    .map((name) => {
      const dir = join(CASES_DIR, name);
      const errorFile = join(dir, 'expected-error.txt');
      return {
        name,
        dir,
        config: join(dir, 'sqlc.yaml'),
        errorFile: existsSync(errorFile) ? errorFile : undefined,
      };
    });
}
