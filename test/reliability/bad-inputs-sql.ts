import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BadInputCase, BadInputCommand } from '../support/bad-input.js';

// A small valid sqlc project; each case spoils one part of it. Line 9 holds `queries`, line 8 `schema`.
const CONFIG = `version: "2"
plugins:
  - name: msb-ts
    process:
      cmd: node scripts/codegen-launch.mjs
sql:
  - engine: sqlite
    schema: schema
    queries: queries
    codegen:
      - out: src/generated
        plugin: msb-ts
        options:
          db_import: ../db/index.js
`;
const SCHEMA = `CREATE TABLE owner (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  note TEXT
) STRICT;
`;
const QUERY = `-- name: GetOwner :one
-- :read
SELECT id, name FROM owner WHERE id = @id;
`;

interface Project {
  /** `null`: no sqlc.yaml at all. */
  readonly config?: string | null;
  /** Files over the default ones; `null` leaves a default file out. */
  readonly files?: Readonly<Record<string, string | null>>;
}

/** Writes the project (the default files, then `files` over them) into `dir`; the command runs it. */
function project(dir: string, { config = CONFIG, files = {} }: Project = {}): BadInputCommand {
  const all: Record<string, string | null> = {
    'schema/0001_init.sql': SCHEMA,
    'queries/x.sql': QUERY,
    ...files,
  };
  if (config !== null) all['sqlc.yaml'] = config;
  for (const [name, text] of Object.entries(all)) {
    if (text === null) continue;
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { program: 'codegen', args: ['--config', join(dir, 'sqlc.yaml')] };
}

/** A project whose only query file is `sql` (after the default schema). */
function query(dir: string, sql: string): BadInputCommand {
  return project(dir, { files: { 'queries/x.sql': sql } });
}

/** A project whose configuration has `from` replaced by `to`. */
function configured(dir: string, from: string | RegExp, to: string): BadInputCommand {
  return project(dir, { config: CONFIG.replace(from, to) });
}

/** One bad input of area `sql`: the generator exits 1 (see scripts/codegen.ts) for every one. */
function sqlCase(name: string, prepare: BadInputCase['prepare'], message: RegExp): BadInputCase {
  return { area: 'sql', name, prepare, exitCode: 1, message };
}

/** Bad sqlc projects given to the code generator (`npm run codegen`). */
export const cases: readonly BadInputCase[] = [
  // The configuration file.
  sqlCase(
    'sqlc.yaml that does not exist',
    (dir) => project(dir, { config: null }),
    /^sqlc\.yaml:1:1: the configuration file .*sqlc\.yaml does not exist/m,
  ),
  sqlCase(
    'sqlc.yaml that is empty',
    (dir) => project(dir, { config: '' }),
    /^sqlc\.yaml:1:1: the configuration must be a mapping/m,
  ),
  sqlCase(
    'sqlc.yaml indented with a tab',
    (dir) => configured(dir, '    schema: schema', '\tschema: schema'),
    /^sqlc\.yaml:8:1: Tabs are not allowed as indentation$/m,
  ),
  sqlCase(
    'sqlc.yaml with a key given twice',
    (dir) => configured(dir, '    queries: queries\n', '    queries: queries\n    queries: more\n'),
    /^sqlc\.yaml:10:5: Map keys must be unique$/m,
  ),
  sqlCase(
    'sqlc.yaml of version 1',
    (dir) => configured(dir, 'version: "2"', 'version: "1"'),
    /^sqlc\.yaml:1:10: version must be "2"/m,
  ),
  sqlCase(
    'sqlc.yaml with a postgresql engine',
    (dir) => configured(dir, 'engine: sqlite', 'engine: postgresql'),
    /^sqlc\.yaml:7:13: sql\[0\]\.engine must be sqlite \(not "postgresql"\)/m,
  ),
  sqlCase(
    'sqlc.yaml with a misspelled queries key',
    (dir) => configured(dir, 'queries: queries', 'querys: queries'),
    /^sqlc\.yaml:9:5: unknown key sql\[0\]\.querys \(valid: engine, schema, queries, codegen\)/m,
  ),
  sqlCase(
    'sqlc.yaml with a misspelled options key',
    (dir) => configured(dir, '        options:', '        option:'),
    /^sqlc\.yaml:13:9: unknown key sql\[0\]\.codegen\[0\]\.option \(valid: out, plugin, options\)/m,
  ),
  sqlCase(
    'sqlc.yaml with an unknown option',
    (dir) => configured(dir, 'db_import:', 'db_imports:'),
    /^sqlc\.yaml:\d+:\d+: unknown option "db_imports" \(valid: db_import, naming, overrides, rename, strict_lint\)/m,
  ),
  sqlCase(
    'sqlc.yaml whose codegen entry names another plugin',
    (dir) => configured(dir, 'plugin: msb-ts', 'plugin: ts'),
    /^sqlc\.yaml:\d+:\d+: sql\[0\]\.codegen must hold one entry with plugin: msb-ts/m,
  ),
  sqlCase(
    'sqlc.yaml with an unknown naming style',
    (dir) => configured(dir, 'db_import: ../db/index.js', 'naming: { fields: kebab }'),
    /^sqlc\.yaml:14:29: options\.naming\.fields must be one of camel, pascal, snake, none/m,
  ),
  sqlCase(
    'sqlc.yaml with an override column that is not table.column',
    (dir) => configured(dir, 'db_import: ../db/index.js', 'overrides: [{ column: id, type: bigint }]'),
    /^sqlc\.yaml:14:33: options\.overrides\[0\]\.column must be "table\.column"/m,
  ),
  sqlCase(
    'sqlc.yaml with an override of an unknown type',
    (dir) => configured(dir, 'db_import: ../db/index.js', 'overrides: [{ column: owner.id, type: int64 }]'),
    /^sqlc\.yaml:14:49: options\.overrides\[0\]\.type must be bigint or json/m,
  ),
  sqlCase(
    'sqlc.yaml with an override of a column the schema lacks',
    (dir) => configured(dir, 'db_import: ../db/index.js', 'overrides: [{ column: owner.ids, type: bigint }]'),
    /^sqlc\.yaml:14:23: options\.overrides: owner\.ids: table owner has no column ids/m,
  ),
  sqlCase(
    'sqlc.yaml with a json override of an INTEGER column',
    (dir) => configured(dir, 'db_import: ../db/index.js', 'overrides: [{ column: owner.id, type: json }]'),
    /^sqlc\.yaml:14:23: options\.overrides: owner\.id: type json applies to TEXT columns, and owner\.id is INTEGER/m,
  ),
  sqlCase(
    'sqlc.yaml renaming a field to a non-identifier',
    (dir) => configured(dir, 'db_import: ../db/index.js', 'rename: { name: owner-name }'),
    /^sqlc\.yaml:14:\d+: options\.rename\.name must be a TypeScript identifier/m,
  ),
  sqlCase(
    'sqlc.yaml renaming a name no query uses',
    (dir) => configured(dir, 'db_import: ../db/index.js', 'rename: { nmae: ownerName }'),
    /^sqlc\.yaml:14:\d+: options\.rename\.nmae matches no result column or parameter of any query; remove it/m,
  ),

  // The paths the configuration names.
  sqlCase(
    'queries directory that does not exist',
    (dir) => configured(dir, 'queries: queries', 'queries: query'),
    /^sqlc\.yaml:9:14: sql\[0\]\.queries: the directory "query" does not exist/m,
  ),
  sqlCase(
    'queries directory without .sql files',
    (dir) =>
      project(dir, {
        config: CONFIG.replace('queries: queries', 'queries: sql'),
        files: { 'sql/README': '' },
      }),
    /^sqlc\.yaml:9:14: sql\[0\]\.queries: the directory "sql" holds no \.sql files; refusing to generate/m,
  ),
  sqlCase(
    'queries path that is a file',
    (dir) => configured(dir, 'queries: queries', 'queries: queries/x.sql'),
    /^sqlc\.yaml:9:14: sql\[0\]\.queries: "queries\/x\.sql" is a file; it must be the directory/m,
  ),
  sqlCase(
    'schema directory that does not exist',
    (dir) => configured(dir, 'schema: schema', 'schema: migrations'),
    /^sqlc\.yaml:8:13: sql\[0\]\.schema: the directory "migrations" does not exist/m,
  ),
  sqlCase(
    'schema directory without .sql files',
    (dir) => project(dir, { files: { 'schema/0001_init.sql': null, 'schema/0001_init.sql.bak': SCHEMA } }),
    /^sqlc\.yaml:8:13: sql\[0\]\.schema: the directory "schema" holds no \.sql files/m,
  ),
  sqlCase(
    'schema file that is empty',
    (dir) => project(dir, { files: { 'schema/0001_init.sql': '' } }),
    // It applies nothing, so every table is unknown.
    /^queries\/x\.sql:3:\d+: GetOwner: no such table: owner/m,
  ),
  sqlCase(
    'output path that is a file',
    (dir) => project(dir, { files: { 'src/generated': 'not a directory' } }),
    /^sqlc\.yaml:11:14: sql\[0\]\.codegen\[\]\.out: "src\/generated" is a file/m,
  ),

  // The schema.
  sqlCase(
    'schema file with a syntax error',
    (dir) =>
      project(dir, {
        files: { 'schema/0002_more.sql': '\nCREATE TABLE pet (id INTEGER PRIMARY KEY,) STRICT;\n' },
      }),
    /^schema\/0002_more\.sql:2:1: schema: near "\)": syntax error/m,
  ),

  sqlCase(
    'schema file not named like a migration',
    (dir) => project(dir, { files: { 'schema/indexes.sql': 'CREATE INDEX owner_note ON owner (note);\n' } }),
    /^schema\/indexes\.sql:1:1: schema files are migrations named NNNN_name\.sql/m,
  ),
  sqlCase(
    'two schema files with one migration version',
    (dir) =>
      project(dir, { files: { 'schema/1_pet.sql': 'CREATE TABLE pet (id INTEGER PRIMARY KEY) STRICT;\n' } }),
    /^schema\/1_pet\.sql:1:1: migration version 1 is also used by 0001_init\.sql; renumber one of them/m,
  ),

  // Query files that cannot become a module of their own.
  sqlCase(
    'query file named index.sql',
    (dir) => project(dir, { files: { 'queries/index.sql': QUERY.replace('GetOwner', 'GetOwnerAgain') } }),
    /^queries\/index\.sql:1:1: its module would be src\/generated\/index\.ts, which the generator writes as the barrel/m,
  ),
  sqlCase(
    'query file named models.sql',
    (dir) => project(dir, { files: { 'queries/models.sql': QUERY.replace('GetOwner', 'GetOwnerAgain') } }),
    /^queries\/models\.sql:1:1: its module would be src\/generated\/models\.ts/m,
  ),
  sqlCase(
    'query files whose names differ only in case',
    (dir) => project(dir, { files: { 'queries/X.sql': QUERY.replace('GetOwner', 'GetOwnerAgain') } }),
    /^queries\/x\.sql:1:1: its module src\/generated\/x\.ts and src\/generated\/X\.ts of queries\/X\.sql differ only in case/m,
  ),
  sqlCase(
    'query file whose module would replace a hand-written file',
    (dir) =>
      project(dir, {
        files: {
          'queries/helpers.sql': QUERY.replace('GetOwner', 'GetOwnerAgain'),
          'src/generated/helpers.ts': 'export const answer = 42;\n',
        },
      }),
    /^src\/generated\/helpers\.ts:1:1: this file was not written by the generator/m,
  ),
  sqlCase(
    'query file with an upper-case .SQL extension',
    (dir) => project(dir, { files: { 'queries/owner.SQL': QUERY.replace('GetOwner', 'GetOwnerAgain') } }),
    /^queries\/owner\.SQL:1:1: query files must end in \.sql \(lower case\); rename it to owner\.sql/m,
  ),
  sqlCase(
    'query file that is a directory',
    (dir) => {
      const command = project(dir);
      mkdirSync(join(dir, 'queries/broken.sql'));
      return command;
    },
    /^queries\/broken\.sql:1:1: cannot read the query file: EISDIR/m,
  ),
  sqlCase(
    'query file that is a dangling symlink',
    (dir) => {
      const command = project(dir);
      symlinkSync(join(dir, 'elsewhere/gone.sql'), join(dir, 'queries/gone.sql'));
      return command;
    },
    /^queries\/gone\.sql:1:1: cannot read the query file: ENOENT/m,
  ),

  // Annotations.
  sqlCase(
    'query without a -- name: line',
    (dir) => query(dir, 'SELECT id FROM owner;\n'),
    /^queries\/x\.sql:1:1: SQL outside a query block \(start each query with "-- name: Name :command"\)/m,
  ),
  sqlCase(
    'query annotated with a capitalised Name:',
    (dir) => query(dir, QUERY.replace('-- name:', '-- Name:')),
    /^queries\/x\.sql:1:1: write the annotation as "-- name: Name :command"/m,
  ),
  sqlCase(
    'query name that is not PascalCase',
    (dir) => query(dir, QUERY.replace('GetOwner', 'get_owner')),
    /^queries\/x\.sql:1:1: query name "get_owner" must be PascalCase/m,
  ),
  sqlCase(
    'query named after a reserved word',
    (dir) => query(dir, QUERY.replace('GetOwner', 'Delete')),
    /^queries\/x\.sql:1:1: query name Delete would make a function named delete, a reserved word/m,
  ),
  sqlCase(
    'query name given twice in one file',
    (dir) => query(dir, `${QUERY}\n${QUERY}`),
    /^queries\/x\.sql:5:1: duplicate query name GetOwner \(first defined at queries\/x\.sql:1\)/m,
  ),
  sqlCase(
    'query name given in two files',
    (dir) => project(dir, { files: { 'queries/y.sql': QUERY } }),
    /^queries\/y\.sql:1:1: duplicate query name GetOwner \(first defined at queries\/x\.sql:1\)/m,
  ),
  sqlCase(
    'query with a misspelled command',
    (dir) => query(dir, QUERY.replace(':one', ':onee')),
    /^queries\/x\.sql:1:1: unknown command :onee in query GetOwner \(valid: :one, :many, :exec, :execrows, :execlastid, :execresult\)/m,
  ),
  sqlCase(
    'query without a command',
    (dir) => query(dir, QUERY.replace(' :one', '')),
    /^queries\/x\.sql:1:1: query GetOwner has no command/m,
  ),
  sqlCase(
    'query without a tag',
    (dir) => query(dir, QUERY.replace('-- :read\n', '')),
    /^queries\/x\.sql:1:1: query GetOwner has no tag: add "-- :read" or "-- :write"/m,
  ),
  sqlCase(
    'query with both tags',
    (dir) => query(dir, QUERY.replace('-- :read\n', '-- :read\n-- :write\n')),
    /^queries\/x\.sql:3:1: query GetOwner has more than one tag/m,
  ),
  sqlCase(
    'query with an unknown tag',
    (dir) => query(dir, QUERY.replace('-- :read', '-- :readonly')),
    /^queries\/x\.sql:2:1: unknown tag :readonly in query GetOwner \(valid: :read, :write\)/m,
  ),
  sqlCase(
    'query tag written on the name line',
    (dir) => query(dir, QUERY.replace(':one\n-- :read', ':one :read')),
    /^queries\/x\.sql:1:1: the tag of query GetOwner goes on its own line below the name: -- :read/m,
  ),
  sqlCase(
    'query block without a statement',
    (dir) =>
      query(dir, '-- name: GetOwner :one\n-- :read\n\n-- name: Next :one\n-- :read\nSELECT 1 AS one;\n'),
    /^queries\/x\.sql:1:1: query GetOwner has no SQL statement/m,
  ),

  // Statements SQLite refuses.
  sqlCase(
    'query with a syntax error',
    (dir) => query(dir, QUERY.replace('FROM owner', 'FORM owner')),
    /^queries\/x\.sql:3:\d+: GetOwner: near "owner": syntax error/m,
  ),
  sqlCase(
    'query of an unknown table',
    (dir) => query(dir, QUERY.replace('FROM owner', 'FROM owners')),
    /^queries\/x\.sql:3:\d+: GetOwner: no such table: owners/m,
  ),
  sqlCase(
    'query of an unknown column',
    (dir) => query(dir, QUERY.replace('id, name', 'id, nmae')),
    /^queries\/x\.sql:3:\d+: GetOwner: no such column: nmae/m,
  ),
  sqlCase(
    'query block holding two statements',
    (dir) => query(dir, QUERY.replace(';\n', ';\nDELETE FROM owner;\n')),
    /^queries\/x\.sql:3:1: GetOwner: a query block must hold exactly one statement/m,
  ),

  // Tags and commands that contradict the statement.
  sqlCase(
    'DELETE tagged :read',
    (dir) => query(dir, '-- name: DropOwner :exec\n-- :read\nDELETE FROM owner WHERE id = @id;\n'),
    /^queries\/x\.sql:3:1: DropOwner is tagged :read but SQLite says the statement writes; tag it -- :write/m,
  ),
  sqlCase(
    'SELECT tagged :write',
    (dir) => query(dir, QUERY.replace('-- :read', '-- :write')),
    /^queries\/x\.sql:3:1: GetOwner is tagged :write but SQLite says the statement only reads; tag it -- :read/m,
  ),
  sqlCase(
    'SELECT run as :execrows',
    (dir) => query(dir, QUERY.replace(':one', ':execrows')),
    /^queries\/x\.sql:3:1: GetOwner is :execrows but the statement only reads, so it changes no row; use :one or :many$/m,
  ),
  sqlCase(
    'UPDATE run as :one',
    (dir) => query(dir, '-- name: Rename :one\n-- :write\nUPDATE owner SET name = @name WHERE id = @id;\n'),
    /^queries\/x\.sql:3:1: Rename is :one but the statement returns no rows; use :exec, :execrows, :execlastid or :execresult, or add RETURNING/m,
  ),

  // Parameters and result columns.
  sqlCase(
    'positional parameter next to a named one',
    (dir) => query(dir, QUERY.replace('id = @id', 'id = @id OR name = ?')),
    /^queries\/x\.sql:3:\d+: GetOwner: the statement mixes \? with named or numbered parameters; use one style/m,
  ),
  sqlCase(
    'parameter named with a digit first',
    (dir) => query(dir, QUERY.replace('@id', '@1st')),
    /^queries\/x\.sql:3:\d+: GetOwner: parameter @1st must start with a letter or _/m,
  ),
  sqlCase(
    'parameters that map to the same field',
    (dir) => query(dir, QUERY.replace('id = @id', 'id = @owner_id OR id = @ownerId')),
    /^queries\/x\.sql:3:\d+: GetOwner: parameters @owner_id and @ownerId both map to ownerId; rename one/m,
  ),
  sqlCase(
    'result columns that map to the same field',
    // A repeated name is numbered (`id`, `id_2`), so only a column already named like the number clashes.
    (dir) =>
      project(dir, {
        config: CONFIG.replace(
          'db_import: ../db/index.js',
          'db_import: ../db/index.js\n          naming: { fields: snake }',
        ),
        files: { 'queries/x.sql': QUERY.replace('id, name', 'id, name AS id_2, id') },
      }),
    /^queries\/x\.sql:3:1: GetOwner: result columns "id_2" and "id" both get field id_2 \(a repeated name is numbered name_2, name_3, …\); alias one of them$/m,
  ),

  // Statements that do not belong in queries/.
  sqlCase(
    'CREATE TABLE in a query file',
    (dir) => query(dir, '-- name: AddPet :exec\n-- :write\nCREATE TABLE pet (id INTEGER PRIMARY KEY);\n'),
    /^queries\/x\.sql:3:1: AddPet: CREATE TABLE changes the schema; schema changes belong in a migration file under schema\//m,
  ),
  sqlCase(
    'CREATE TEMP TABLE in a query file',
    (dir) => query(dir, '-- name: Scratch :exec\n-- :write\nCREATE TEMP TABLE scratch (id INTEGER);\n'),
    /^queries\/x\.sql:3:1: Scratch: CREATE TEMP TABLE makes a table only the connection that runs it can see/m,
  ),
  sqlCase(
    'BEGIN in a query file',
    (dir) => query(dir, '-- name: Start :exec\n-- :write\nBEGIN IMMEDIATE;\n'),
    /^queries\/x\.sql:3:1: Start: BEGIN: transactions are managed by DbWriteConnection\.transaction\(\)/m,
  ),
  sqlCase(
    'VACUUM in a query file',
    (dir) => query(dir, '-- name: Compact :exec\n-- :write\nVACUUM;\n'),
    /^queries\/x\.sql:3:1: Compact: VACUUM cannot run inside a transaction; run it from a maintenance script/m,
  ),
  sqlCase(
    'ATTACH in a query file',
    (dir) => query(dir, "-- name: Other :exec\n-- :write\nATTACH DATABASE 'other.db' AS other;\n"),
    /^queries\/x\.sql:3:1: Other: ATTACH cannot run inside a transaction/m,
  ),
  sqlCase(
    'PRAGMA that changes a setting in a query file',
    (dir) => query(dir, '-- name: NoChecks :exec\n-- :write\nPRAGMA foreign_keys = OFF;\n'),
    /^queries\/x\.sql:3:1: NoChecks: PRAGMA foreign_keys = … changes a connection setting/m,
  ),
  sqlCase(
    'ANALYZE in a query file',
    (dir) => query(dir, '-- name: Stats :exec\n-- :write\nANALYZE;\n'),
    /^queries\/x\.sql:3:1: Stats: ANALYZE is database maintenance, not a query/m,
  ),
];
