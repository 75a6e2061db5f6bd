import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import Database from 'better-sqlite3';
import type { SqlcCase } from './find-sqlc-cases.js';
import { hasStatement, splitStatements, stripComments } from './split-statements.js';

/**
 * One named statement of a sqlc query file and what became of it in the converted project.
 *
 * @example
 * ```ts
 * const q: ConvertedQuery = { name: 'GetAuthor', source: 'query.sql:3', macro: false, unpreparable: undefined, at: { file: 'queries/query.sql', from: 1, to: 5 } };
 * ```
 */
export interface ConvertedQuery {
  readonly name: string;
  /** `file:line` of its `-- name:` line in the sqlc case, the file relative to the case directory. */
  readonly source: string;
  /** Whether it uses `sqlc.arg`, `sqlc.narg`, `sqlc.slice` or `sqlc.embed`. */
  readonly macro: boolean;
  /** SQLite's message when it cannot prepare the statement on the case's schema (macros rewritten to plain SQL first); such a query is left out of the project. */
  readonly unpreparable: string | undefined;
  /** Where its block is in the converted project: the query file as diagnostics name it, and its first and last line. */
  readonly at: { readonly file: string; readonly from: number; readonly to: number } | undefined;
}

/**
 * A schema statement SQLite refused, left out of the converted schema.
 *
 * @example
 * ```ts
 * const d: DroppedStatement = { source: 'schema.sql:4', message: 'unknown database baz' };
 * ```
 */
export interface DroppedStatement {
  readonly source: string;
  readonly message: string;
}

/**
 * A sqlc case turned into an msb project.
 *
 * @example
 * ```ts
 * const converted = convertCase(sqlcCase, '/tmp/conformance/0001');
 * converted.configPath; // '/tmp/conformance/0001/sqlc.yaml'
 * ```
 */
export interface ConvertedCase {
  readonly configPath: string;
  readonly queries: readonly ConvertedQuery[];
  readonly droppedSchema: readonly DroppedStatement[];
}

const MACRO = /\bsqlc\.(arg|narg|slice|embed)\s*\(\s*(?:'([^']*)'|"([^"]*)"|([\w.]+))\s*\)/gi;
const NAME_LINE = /^\s*(?:--|\/\*)\s*name:\s*(\S+)\s+(:\w+)/;

/**
 * Writes an msb project for one sqlc case under `dir`: `sqlc.yaml`, `schema/` and `queries/`.
 *
 * 1. Schema: each `CREATE`, `ALTER` and `DROP` statement of the schema files (rollback sections cut
 *    as sqlc cuts them) is run on a fresh SQLite database in sqlc's order; those SQLite refuses are
 *    dropped and reported, the rest are written as migrations `NNNN_<file>.sql`, one per schema file.
 *    Other statements (a query file may double as the schema) are not schema.
 * 2. Queries: every statement with a `-- name: X :cmd` (or `/* name: … *\/`) comment becomes an msb
 *    block with the `-- :read` or `-- :write` tag SQLite's `stmt.readonly` gives on that schema (the
 *    check msb's generator makes); statements without a name are ignored, as sqlc ignores them.
 * 3. A query SQLite cannot prepare (after `sqlc.arg(x)`/`narg`/`slice` became `@x` and
 *    `sqlc.embed(t)` became `t.*`) is left out and reported with SQLite's message: it is not the
 *    generator's failure. Macro queries are written as sqlc has them.
 *
 * @example
 * ```ts
 * const { queries } = convertCase(sqlcCase, mkdtempSync(join(tmpdir(), 'case-')));
 * ```
 */
export function convertCase(sqlcCase: SqlcCase, dir: string): ConvertedCase {
  const shown = (path: string): string => relative(sqlcCase.dir, path).split('\\').join('/');
  const db = new Database(':memory:');
  try {
    mkdirSync(join(dir, 'schema'), { recursive: true });
    mkdirSync(join(dir, 'queries'), { recursive: true });
    const droppedSchema: DroppedStatement[] = [];
    sqlcCase.schemaFiles.forEach((file, index) => {
      const kept: string[] = [];
      for (const chunk of splitStatements(rollbackCut(readSql(file)))) {
        const code = stripComments(chunk.text);
        if (!/^\s*(CREATE|ALTER|DROP)\b/i.test(code)) continue;
        try {
          db.exec(chunk.text);
          kept.push(`${chunk.text.trim()};`);
        } catch (err) {
          droppedSchema.push({
            source: `${shown(file)}:${chunk.line + leadingLines(code)}`,
            message: (err as Error).message,
          });
        }
      }
      const migration = `${String(index + 1).padStart(4, '0')}_${basename(file, '.sql').replace(/[^A-Za-z0-9_-]/g, '_')}.sql`;
      writeFileSync(join(dir, 'schema', migration), `${kept.join('\n\n')}\n`);
    });
    // The generator wants at least one schema file, even for a case whose schema is all queries.
    if (sqlcCase.schemaFiles.length === 0) writeFileSync(join(dir, 'schema', '0001_empty.sql'), '\n');

    const queries: ConvertedQuery[] = [];
    const usedNames = new Set<string>();
    sqlcCase.queryFiles.forEach((file, index) => {
      let target = basename(file);
      if (usedNames.has(target.toLowerCase())) target = `${index + 1}_${target}`;
      usedNames.add(target.toLowerCase());
      const shownTarget = `queries/${target}`;
      const lines: string[] = [];
      for (const chunk of splitStatements(readSql(file))) {
        if (!hasStatement(chunk.text)) continue;
        const chunkLines = chunk.text.split('\n');
        const nameAt = chunkLines.findIndex((l) => NAME_LINE.test(l));
        const header = NAME_LINE.exec(chunkLines[nameAt] ?? '');
        if (header === null) continue;
        const [, name = '', command = ''] = header;
        const body = chunkLines
          .filter((_, i) => i !== nameAt)
          .join('\n')
          .trim();
        const macro = new RegExp(MACRO.source, 'i').test(body);
        const source = `${shown(file)}:${chunk.line + nameAt}`;
        let readonly: boolean;
        try {
          readonly = db.prepare(macro ? plainSql(body) : body).readonly;
        } catch (err) {
          queries.push({ name, source, macro, unpreparable: (err as Error).message, at: undefined });
          continue;
        }
        const from = lines.length + 1;
        // No `;` is added: the body may end in a `--` comment, and msb's parser needs none.
        lines.push(
          `-- name: ${name} ${command}`,
          readonly ? '-- :read' : '-- :write',
          ...body.split('\n'),
          '',
        );
        queries.push({
          name,
          source,
          macro,
          unpreparable: undefined,
          at: { file: shownTarget, from, to: lines.length },
        });
      }
      if (lines.length > 0) writeFileSync(join(dir, shownTarget), lines.join('\n'));
    });
    const configPath = join(dir, 'sqlc.yaml');
    writeFileSync(configPath, MSB_CONFIG);
    return { configPath, queries, droppedSchema };
  } finally {
    db.close();
  }
}

/** The generator's configuration for a converted case (the format of `scripts/codegen/codegen-config.ts`). */
const MSB_CONFIG = `version: "2"
plugins:
  - name: msb-ts
    process:
      cmd: node scripts/codegen-launch.mjs
sql:
  - engine: sqlite
    schema: schema
    queries: queries
    codegen:
      - out: generated
        plugin: msb-ts
        options: {}
`;

/** The statement with sqlc's macros replaced by the plain SQL SQLite can prepare. */
function plainSql(sql: string): string {
  return sql.replace(MACRO, (_all, macro: string, single?: string, double?: string, bare?: string) => {
    const name = single ?? double ?? bare ?? '';
    return macro.toLowerCase() === 'embed' ? `${name}.*` : `@${name.replace(/\W/g, '_')}`;
  });
}

function readSql(path: string): string {
  return readFileSync(path, 'utf8').replace(/\r\n?/g, '\n');
}

/** The text before a migration tool's rollback marker (goose, sql-migrate, tern, dbmate), as sqlc reads a schema. */
function rollbackCut(text: string): string {
  const lines = text.split('\n');
  const end = lines.findIndex((l) =>
    /^(-- \+goose down|-- \+migrate down|---- create above \/ drop below ----|-- migrate:down)/i.test(l),
  );
  return end < 0 ? text : lines.slice(0, end).join('\n');
}

/** Lines before the first non-blank character (comments already blanked). */
function leadingLines(code: string): number {
  const first = code.search(/\S/);
  return first < 0 ? 0 : (code.slice(0, first).match(/\n/g)?.length ?? 0);
}
