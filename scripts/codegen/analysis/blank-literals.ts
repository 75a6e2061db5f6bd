/**
 * `sql` with its string literals, quoted names (`"…"`, `` `…` ``, `[…]`) and comments replaced by as
 * many spaces: the same length, so every offset still points at the same place, and a scan of what is
 * left finds only bare SQL (names, parameters, keywords).
 *
 * @example
 * ```ts
 * blankLiterals(`SELECT '@x', "a$b" FROM t`); // 'SELECT     ,       FROM t'
 * ```
 */
export function blankLiterals(sql: string): string {
  return sql.replace(LITERAL_OR_COMMENT, (m) => ' '.repeat(m.length));
}

const LITERAL_OR_COMMENT = /'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|--[^\n]*|\/\*[\s\S]*?\*\//g;
