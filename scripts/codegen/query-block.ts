/**
 * The result shape a query's annotation asks for.
 *
 * @example
 * ```ts
 * const command: QueryCommand = ':execrows';
 * ```
 */
export type QueryCommand = ':one' | ':many' | ':exec' | ':execrows' | ':execlastid';

/**
 * The connection intent a query's annotation declares.
 *
 * @example
 * ```ts
 * const tag: QueryTag = ':read';
 * ```
 */
export type QueryTag = ':read' | ':write';

/**
 * Every valid command, in the order error messages list them.
 *
 * @example
 * ```ts
 * QUERY_COMMANDS.includes(':one'); // true
 * ```
 */
export const QUERY_COMMANDS: readonly QueryCommand[] = [':one', ':many', ':exec', ':execrows', ':execlastid'];

/**
 * Commands sqlc knows but not for SQLite with TypeScript, each with what to write instead. sqlc's
 * `:execresult` returns Go's `sql.Result`; `:copyfrom` needs PostgreSQL's pgx or MySQL;
 * `:batchexec`, `:batchmany` and `:batchone` need PostgreSQL's pgx (docs/reference/query-annotations.md).
 *
 * @example
 * ```ts
 * OTHER_ENGINE_COMMANDS.get(':copyfrom'); // 'sqlc generates :copyfrom only for …'
 * ```
 */
export const OTHER_ENGINE_COMMANDS: ReadonlyMap<string, string> = new Map([
  [
    ':execresult',
    "sqlc's :execresult returns Go's sql.Result; use :execrows for the number of changed rows or :execlastid for the new rowid",
  ],
  [
    ':copyfrom',
    'sqlc generates :copyfrom only for PostgreSQL (pgx) and MySQL; write a one-row INSERT as :exec and call it per row inside one DbWriteConnection.transaction()',
  ],
  ...[':batchexec', ':batchmany', ':batchone'].map((command): [string, string] => [
    command,
    `sqlc generates ${command} only for PostgreSQL (pgx); use :${command.slice(':batch'.length)} and call it per item inside one DbWriteConnection.transaction()`,
  ]),
]);

/**
 * One annotated query as written in a `queries/*.sql` file, before SQLite has seen it.
 *
 * @example
 * ```ts
 * const [block] = parseQueryFile('queries/run.sql', text).blocks;
 * block.name; // 'LoadActiveRun'
 * ```
 */
export interface QueryBlock {
  /** The query file, relative to the configuration's directory. */
  readonly path: string;
  readonly name: string;
  readonly command: QueryCommand;
  readonly tag: QueryTag;
  /** The statement, without its trailing semicolon. */
  readonly sql: string;
  /** Position of the `-- name:` line. */
  readonly line: number;
  /** Line (1-based) on which `sql` starts; `sql` starts at column 1 of it. */
  readonly sqlLine: number;
}
