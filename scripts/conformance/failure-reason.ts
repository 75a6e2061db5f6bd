/**
 * A generator diagnostic with what is particular to one query taken out, so equal problems group
 * together: the query's name becomes `<query>`, quoted text `"…"`, the operand of SQLite's
 * `no such column: x` (and its kin) and the name two columns `both map to` `…`, parameters `@…` and
 * numbers `N`.
 *
 * @example
 * ```ts
 * failureReason('GetAuthor: no such column: nme', 'GetAuthor'); // 'no such column: …'
 * ```
 */
export function failureReason(message: string, queryName: string): string {
  let reason = message;
  if (queryName !== '') {
    const escaped = queryName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    reason = reason
      .replace(new RegExp(`^${escaped}: `), '')
      .replace(new RegExp(`\\b${escaped}\\b`, 'g'), '<query>');
  }
  return reason
    .replace(/"[^"]*"/g, '"…"')
    .replace(/'[^']*'/g, "'…'")
    .replace(
      /\b(no such (?:column|table|function|module)|ambiguous column name|unknown database|table \S+ has no column named)(:?) \S+/g,
      '$1$2 …',
    )
    .replace(/[@$][A-Za-z_][A-Za-z0-9_]*/g, '@…')
    .replace(/\bboth map to (field )?[^\s;]+/g, 'both map to $1…')
    .replace(/\b\d+\b/g, 'N');
}
