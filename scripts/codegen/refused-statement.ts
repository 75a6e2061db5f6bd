/**
 * Why a statement does not belong in a query file, and where its first keyword is; `undefined` for
 * one that does. Generated functions run a statement on a pooled connection, and `:write` ones inside
 * the transaction of `DbWriteConnection.transaction()`; what cannot work there, or changes more than
 * data, is refused with what to do instead.
 *
 * 1. Schema changes (`CREATE`, `DROP`, `ALTER`): a migration file under the schema directory.
 *    `CREATE TEMP …` is seen by one connection only: a CTE or a table from a migration.
 * 2. Transaction control (`BEGIN`, `COMMIT`, `END`, `ROLLBACK`, `SAVEPOINT`, `RELEASE`): the helper.
 * 3. `VACUUM`, `ATTACH`, `DETACH`, `REINDEX`, `ANALYZE` and a `PRAGMA` that sets or does something:
 *    a maintenance script, or where the connections are opened. A `PRAGMA` that only reads is a query.
 *
 * @example
 * ```ts
 * refusedStatement('DROP TABLE item', 'schema');
 * // { offset: 0, message: 'DROP TABLE changes the schema; schema changes belong in a migration file under schema/, not in a query' }
 * ```
 */
export function refusedStatement(
  sql: string,
  schemaDir: string,
): { readonly offset: number; readonly message: string } | undefined {
  // Comments become blanks, so offsets still point into `sql`.
  const text = sql.replace(/--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/g, (c) => ' '.repeat(c.length));
  const offset = text.search(/\S/);
  const words = (m: RegExpExecArray): string => m[0].trim().replace(/\s+/g, ' ').toUpperCase();
  const refuse = (message: string): { offset: number; message: string } => ({ offset, message });

  const create =
    /^\s*CREATE\s+(?:(TEMP|TEMPORARY)\s+)?(?:(?:UNIQUE|VIRTUAL)\s+)?(TABLE|INDEX|VIEW|TRIGGER)\b/i.exec(text);
  if (create?.[1] !== undefined) {
    return refuse(
      `${words(create)} makes a ${create[2]?.toLowerCase()} only the connection that runs it can see, and generated functions run on whichever pooled connection is free; use a CTE (WITH name AS (SELECT …)) or a table created by a migration under ${schemaDir}/`,
    );
  }
  const ddl = create ?? /^\s*(?:DROP\s+(?:TABLE|INDEX|VIEW|TRIGGER)|ALTER\s+TABLE)\b/i.exec(text);
  if (ddl !== null) {
    return refuse(
      `${words(ddl)} changes the schema; schema changes belong in a migration file under ${schemaDir}/, not in a query`,
    );
  }
  const tx = /^\s*(?:BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b/i.exec(text);
  if (tx !== null) {
    return refuse(
      `${words(tx)}: transactions are managed by DbWriteConnection.transaction(); call the queries inside one, and throw from its body to roll back`,
    );
  }
  if (/^\s*VACUUM\b/i.test(text)) {
    return refuse(
      'VACUUM cannot run inside a transaction; run it from a maintenance script on a raw connection',
    );
  }
  const attach = /^\s*(?:ATTACH|DETACH)\b/i.exec(text);
  if (attach !== null) {
    return refuse(
      `${words(attach)} cannot run inside a transaction and would change what every later query on that pooled connection sees; open the other database file with a connection of its own`,
    );
  }
  const maintenance = /^\s*(?:REINDEX|ANALYZE)\b/i.exec(text);
  if (maintenance !== null) {
    return refuse(
      `${words(maintenance)} is database maintenance, not a query; run it from a maintenance script on a raw connection`,
    );
  }
  const pragma = /^\s*PRAGMA\s+(?:\w+\s*\.\s*)?(\w+)\s*([=(])?/i.exec(text);
  const name = pragma?.[1]?.toLowerCase() ?? '';
  const argument = pragma?.[2];
  if (
    pragma !== null &&
    (argument === '=' ||
      (argument === '(' && !PRAGMAS_READING_AN_ARGUMENT.has(name)) ||
      PRAGMA_ACTIONS.has(name))
  ) {
    return refuse(
      `PRAGMA ${name}${argument === undefined ? '' : argument === '=' ? ' = …' : '(…)'} changes a connection setting or runs maintenance; set connection pragmas where the connections are opened (src/db), and run maintenance from a script on a raw connection`,
    );
  }
  return undefined;
}

/**
 * Pragmas whose argument only says what to read (`PRAGMA table_info(run)`).
 *
 * @example
 * ```ts
 * PRAGMAS_READING_AN_ARGUMENT.has('table_info'); // true
 * ```
 */
export const PRAGMAS_READING_AN_ARGUMENT: ReadonlySet<string> = new Set([
  'table_info',
  'table_xinfo',
  'table_list',
  'index_info',
  'index_xinfo',
  'index_list',
  'foreign_key_list',
  'foreign_key_check',
  'integrity_check',
  'quick_check',
]);

/** Pragmas that do something even without an argument. */
const PRAGMA_ACTIONS = new Set(['optimize', 'wal_checkpoint', 'incremental_vacuum', 'shrink_memory']);
