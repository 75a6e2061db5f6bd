import { terminalSafe } from './terminal-safe.js';

/**
 * Renders rows as a left-aligned text table with a header line, columns separated by two spaces.
 * Every cell is {@link terminalSafe}: a name or command stored in the database cannot drive the
 * terminal nor break a row in two.
 *
 * @example
 * ```ts
 * formatTable(['NAME', 'STATUS'], [['web', 'Running']]);
 * // 'NAME  STATUS\nweb   Running\n'
 * ```
 */
export function formatTable(headers: readonly string[], cells: readonly (readonly string[])[]): string {
  const rows = cells.map((row) => row.map(terminalSafe));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}
