import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DbOpenError } from './db-open-error.js';
import { MIGRATION_FILE_PATTERN, projectSchemaDir } from './schema-files.js';

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

/**
 * Builds a migration from its file name and text.
 *
 * @example
 * ```ts
 * const m = migration('0002_add_index.sql', 'CREATE INDEX i ON t (x);');
 * ```
 */
export function migration(name: string, sql: string): Migration {
  const match = MIGRATION_FILE_PATTERN.exec(name);
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
    checksum: sha256(sql),
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

/**
 * node:crypto loaded on first use: this module is bundled into the runtime (through
 * `DbWriteConnection.open`), which never builds a migration, and loading crypto costs every runtime
 * start a few milliseconds of CPU.
 */
function sha256(text: string): string {
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(text).digest('hex');
}
