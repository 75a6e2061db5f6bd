import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The generated-file marker: only files carrying it are ever deleted as orphans.
 *
 * @example
 * ```ts
 * if (text.includes(GENERATED_MARKER)) rmSync(path);
 * ```
 */
export const GENERATED_MARKER = 'DO NOT EDIT.';

/**
 * How the files on disk differ from a freshly generated map.
 *
 * @example
 * ```ts
 * const plan = planOutput('/work/main/src/generated', files);
 * plan.changed; // paths whose contents differ or that do not exist yet
 * ```
 */
export interface OutputPlan {
  /** Generated paths whose file is missing. */
  readonly missing: readonly string[];
  /** Generated paths whose file exists with other contents. */
  readonly changed: readonly string[];
  /** The changed paths whose file the generator did not write (no marker): hand-written code. */
  readonly foreign: readonly string[];
  /** `.ts` files in the output directory that the generator no longer produces. */
  readonly orphaned: readonly string[];
}

/**
 * Compares a generated file map with the output directory.
 *
 * @example
 * ```ts
 * const { missing, changed, foreign, orphaned } = planOutput(config.outDir, generate(config));
 * ```
 */
export function planOutput(outDir: string, files: ReadonlyMap<string, string>): OutputPlan {
  const missing: string[] = [];
  const changed: string[] = [];
  const foreign: string[] = [];
  for (const [path, text] of files) {
    if (!existsSync(path)) {
      missing.push(path);
      continue;
    }
    const onDisk = readText(path);
    if (onDisk === text) continue;
    changed.push(path);
    if (!onDisk.includes(GENERATED_MARKER)) foreign.push(path);
  }
  let onDisk: string[] = [];
  try {
    onDisk = readdirSync(outDir, { withFileTypes: true })
      .filter((f) => f.isFile() && f.name.endsWith('.ts'))
      .map((f) => f.name)
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const orphaned = onDisk.map((f) => join(outDir, f)).filter((p) => !files.has(p));
  return { missing, changed, foreign, orphaned };
}

/** The file's text; a failure names the file, which Node's message for some errors (EISDIR) does not. */
function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (!e.message.includes(path)) e.message = `${e.message}: ${path}`;
    throw e;
  }
}
