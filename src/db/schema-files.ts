import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Apart from migration.ts so that a process that only checks the schema version (a runtime, through
// DbWriteConnection.attach) loads neither node:crypto nor the migration reader.

/** `NNNN_name.sql`: the version is the leading digits. */
export const MIGRATION_FILE_PATTERN = /^(\d+)_[A-Za-z0-9_-]+\.sql$/;

/**
 * The project's `schema/` directory; the same relative path works from `src/db` and from `dist/db`.
 *
 * @example
 * ```ts
 * const migrations = loadMigrations(projectSchemaDir());
 * ```
 */
export function projectSchemaDir(): string {
  return fileURLToPath(new URL('../../schema/', import.meta.url));
}

/**
 * The newest version among a directory's migration file names, reading no file: what a process that
 * never applies migrations (a runtime) checks a database against. 0 for a directory without any.
 *
 * @example
 * ```ts
 * latestSchemaVersion(); // 2 with schema/0001_init.sql and schema/0002_….sql
 * ```
 */
export function latestSchemaVersion(dir: string = projectSchemaDir()): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const match = MIGRATION_FILE_PATTERN.exec(name);
    if (match !== null) newest = Math.max(newest, Number(match[1]));
  }
  return newest;
}
