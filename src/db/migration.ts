import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DbOpenError } from './db-open-error.js';

/**
 * One numbered schema file, `NNNN_name.sql`.
 *
 * @example
 * ```ts
 * const m: Migration = { version: 1, name: '0001_init.sql', sql: 'CREATE TABLE t (x INTEGER) STRICT;', checksum };
 * ```
 */
export interface Migration {
  readonly version: number;
  /** The file name, recorded in the ledger and used in messages. */
  readonly name: string;
  readonly sql: string;
  /** sha256 of `sql`: a migration edited after it was applied is refused. */
  readonly checksum: string;
}

const FILE_PATTERN = /^(\d+)_[A-Za-z0-9_-]+\.sql$/;

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
 * Builds a migration from its file name and text.
 *
 * @example
 * ```ts
 * const m = migration('0002_add_index.sql', 'CREATE INDEX i ON t (x);');
 * ```
 */
export function migration(name: string, sql: string): Migration {
  const match = FILE_PATTERN.exec(name);
  if (match === null) {
    throw new DbOpenError(
      'DB_MIGRATION_INVALID',
      name,
      `${name}: migration files are named NNNN_name.sql (digits, underscore, letters, digits, _ or -)`,
    );
  }
  return Object.freeze({
    version: Number(match[1]),
    name,
    sql,
    checksum: createHash('sha256').update(sql).digest('hex'),
  });
}

let cachedProjectMigrations: readonly Migration[] | undefined;

/**
 * Reads every `*.sql` file of a directory as a migration, sorted by version. Two files with one version,
 * or a `.sql` file not named `NNNN_name.sql`, is a `DbOpenError` naming the file.
 *
 * @example
 * ```ts
 * const migrations = loadMigrations('schema');
 * migrations.map((m) => m.name); // ['0001_init.sql', ...]
 * ```
 */
export function loadMigrations(dir: string = projectSchemaDir()): readonly Migration[] {
  const isProject = dir === projectSchemaDir();
  if (isProject && cachedProjectMigrations !== undefined) return cachedProjectMigrations;
  const names = readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  const migrations = names.map((name) => migration(name, readFileSync(join(dir, name), 'utf8')));
  const result = sortMigrations(migrations, dir);
  if (isProject) cachedProjectMigrations = result;
  return result;
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
    const match = FILE_PATTERN.exec(name);
    if (match !== null) newest = Math.max(newest, Number(match[1]));
  }
  return newest;
}

/**
 * The migrations an open uses: the project's `schema/` by default, none for `null`, or the given list,
 * sorted by version and checked for duplicates like files are.
 *
 * @example
 * ```ts
 * resolveMigrations([m2, m1]); // [m1, m2]
 * ```
 */
export function resolveMigrations(
  option: readonly Migration[] | null | undefined,
): readonly Migration[] | null {
  if (option === undefined) return loadMigrations();
  return option === null ? null : sortMigrations(option, 'the migrations option');
}

function sortMigrations(migrations: readonly Migration[], where: string): readonly Migration[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    if (previous.version === current.version) {
      throw new DbOpenError(
        'DB_MIGRATION_INVALID',
        join(where, current.name),
        `${where}: ${previous.name} and ${current.name} share version ${current.version}`,
      );
    }
  }
  return Object.freeze(sorted);
}
