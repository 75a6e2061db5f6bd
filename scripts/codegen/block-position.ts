import type { QueryBlock } from './query-block.js';

/**
 * The file position (1-based line and column) of `offset` in a block's SQL; the statement's start when
 * `offset` is undefined.
 *
 * @example
 * ```ts
 * blockPosition(block, block.sql.indexOf('ORDER BY')); // { line: 12, col: 1 }
 * ```
 */
export function blockPosition(block: QueryBlock, offset: number | undefined): { line: number; col: number } {
  if (offset === undefined || offset < 0) return { line: block.sqlLine, col: 1 };
  const before = block.sql.slice(0, offset).split('\n');
  return { line: block.sqlLine + before.length - 1, col: (before.at(-1)?.length ?? 0) + 1 };
}

/**
 * Where `pattern` (a regular expression source, matched case-insensitively) first matches in `sql`
 * outside `--` comments, or undefined.
 *
 * @example
 * ```ts
 * sqlOffset('SELECT * FROM run', '\\brun\\b'); // 14
 * ```
 */
export function sqlOffset(sql: string, pattern: string): number | undefined {
  // Comments are blanked out, keeping offsets, so a word in a comment is never the one pointed at.
  const code = sql.replace(/--[^\n]*/g, (c) => ' '.repeat(c.length));
  const index = new RegExp(pattern, 'i').exec(code)?.index;
  return index === undefined ? undefined : index;
}
