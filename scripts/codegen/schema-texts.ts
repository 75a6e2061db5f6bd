import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The schema files of one codegen run, read once: file name (in the schema directory) → its text, or
 * the error reading it failed with. The analysis cache's key, the catalog and the strict lint all take
 * the texts from here, so a file edited while codegen runs cannot give an analysis of one schema under
 * the key of another.
 *
 * @example
 * ```ts
 * const texts: SchemaTexts = new Map([['0001_init.sql', 'CREATE TABLE t (id INTEGER PRIMARY KEY);']]);
 * ```
 */
export type SchemaTexts = ReadonlyMap<string, string | Error>;

/**
 * Reads `names` from `schemaDir`, in the given order; a file that cannot be read keeps its error, for
 * the stage that needs it to report.
 *
 * @example
 * ```ts
 * const texts = readSchemaTexts(config.schemaDir, listProjectFiles(config).schemaFiles);
 * ```
 */
export function readSchemaTexts(schemaDir: string, names: readonly string[]): SchemaTexts {
  const texts = new Map<string, string | Error>();
  for (const name of names) {
    try {
      texts.set(name, readFileSync(join(schemaDir, name), 'utf8'));
    } catch (err) {
      texts.set(name, err instanceof Error ? err : new Error(String(err)));
    }
  }
  return texts;
}
