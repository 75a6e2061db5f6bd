import { parseSqlite } from './analysis/syntax-tree.js';
import { unionMembers } from './code-layout.js';

/**
 * What a result column's alias says about its field: `AS "name!"` (never null), `AS "name?"` (may be
 * null), `AS "name: Type"` and `AS "name!: Type"`, or nothing (`nullable` and `ts` undefined) for any
 * other name.
 *
 * @example
 * ```ts
 * const o: AliasOverride = { name: 'refs', nullable: false, ts: undefined };
 * ```
 */
export interface AliasOverride {
  /** The field's SQL name: the alias without its marker and type. */
  readonly name: string;
  readonly nullable: boolean | undefined;
  /** The TypeScript type, members joined by ` | `. */
  readonly ts: string | undefined;
}

/**
 * The type names an override may use, joined by `|` with each other, with `null`, and with string
 * literals (`'a'`) and number literals (`1`, `-2.5`): exactly the values SQLite can return, as the
 * generated code types them (no `boolean`: SQLite returns 0 and 1).
 *
 * @example
 * ```ts
 * OVERRIDE_TYPE_NAMES.includes('Buffer'); // true
 * ```
 */
export const OVERRIDE_TYPE_NAMES: readonly string[] = [
  'string',
  'number',
  'bigint',
  'Buffer',
  'unknown',
  'null',
];

const STRING_LITERAL = /^'(?:[^'\\\n]|\\['\\])*'$/;
const NUMBER_LITERAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

/**
 * Reads a result column's name as an override, but only if the query wrote it as a double-quoted
 * alias (`expr AS "name!"` or `expr "name!"`); SQLite reports names without their quotes, so
 * `sqlAliases` must hold the names written that way (see {@link doubleQuotedAliases}). Any other name
 * is kept whole, colons included (`trim(':a:', ':')`, `'x: y'`, `[x!]`).
 *
 * Returns an error message (without the query's name) when the alias is an override whose type is not
 * in the grammar of {@link OVERRIDE_TYPE_NAMES}.
 *
 * @example
 * ```ts
 * aliasOverride('refs!', new Set(['refs!'])); // { name: 'refs', nullable: false, ts: undefined }
 * aliasOverride("trim(':a:', ':')", new Set()); // { name: "trim(':a:', ':')", nullable: undefined, ts: undefined }
 * ```
 */
export function aliasOverride(
  column: string,
  sqlAliases: ReadonlySet<string>,
): AliasOverride | { readonly error: string } {
  const plain = { name: column, nullable: undefined, ts: undefined };
  if (!sqlAliases.has(column)) return plain;
  const colon = column.indexOf(':');
  let name = (colon === -1 ? column : column.slice(0, colon)).trim();
  let nullable: boolean | undefined;
  if (name.endsWith('!') || name.endsWith('?')) {
    nullable = name.endsWith('?');
    name = name.slice(0, -1).trim();
  }
  if (colon === -1) return nullable === undefined ? plain : { name, nullable, ts: undefined };
  const written = column.slice(colon + 1).trim();
  const members = unionMembers(written);
  const bad = members.find(
    (m) => !OVERRIDE_TYPE_NAMES.includes(m) && !STRING_LITERAL.test(m) && !NUMBER_LITERAL.test(m),
  );
  if (bad !== undefined || written === '') {
    return {
      error: `result column ${JSON.stringify(column)}: ${bad === undefined || bad === '' ? 'no type' : `unknown type ${JSON.stringify(bad)}`} after the colon of the override (an override type joins ${OVERRIDE_TYPE_NAMES.join(', ')}, 'text' and number literals with |; to keep a colon in a name, alias it without double quotes)`,
    };
  }
  return { name, nullable, ts: [...new Set(members)].join(' | ') };
}

/**
 * The names a statement gives its result columns with double-quoted aliases (`AS "n!"`, `"n!"` after
 * an expression), unquoted as SQLite reports them: those of its select list (the first select of a
 * compound one) or of its `RETURNING` clause. When the SQL parser cannot read the statement, any
 * double-quoted name in the text counts.
 *
 * @example
 * ```ts
 * doubleQuotedAliases(`SELECT a AS "a!", b AS 'b!' FROM t`); // Set { 'a!' }
 * ```
 */
export function doubleQuotedAliases(sql: string): Set<string> {
  type Node = { readonly type: string; readonly [key: string]: unknown };
  let stmt: Node | undefined;
  try {
    const program = parseSqlite(sql) as unknown as { statements: Node[] };
    stmt = program.statements.find((s) => s.type !== 'empty');
  } catch {
    const stripped = sql.replace(/'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
    return new Set(
      [...stripped.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => (m[1] ?? '').replaceAll('""', '"')),
    );
  }
  while (stmt?.type === 'compound_select_stmt') stmt = stmt.left as Node;
  const clauses = (stmt?.clauses as Node[] | undefined) ?? [];
  const list = clauses.find((c) => c.type === 'select_clause' || c.type === 'returning_clause');
  const items = ((list?.columns as Node | undefined)?.items as Node[] | undefined) ?? [];
  const names = new Set<string>();
  for (const item of items) {
    const alias = item.type === 'alias' ? (item.alias as Node | undefined) : undefined;
    if (alias?.type === 'identifier' && String(alias.text).startsWith('"')) names.add(String(alias.name));
  }
  return names;
}
