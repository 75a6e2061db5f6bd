/**
 * One located problem found while generating code, printed as `path:line:col: message`.
 *
 * @example
 * ```ts
 * const d: Diagnostic = { path: 'queries/run.sql', line: 4, col: 1, message: 'missing tag' };
 * ```
 */
export interface Diagnostic {
  /** The file, relative to the configuration's directory. */
  readonly path: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
  readonly message: string;
  /** A warning is printed but fails nothing; absent means error. */
  readonly severity?: 'error' | 'warning';
}

/**
 * Formats a diagnostic the way compilers do, so editors can jump to it; a warning says so after the
 * position.
 *
 * @example
 * ```ts
 * formatDiagnostic({ path: 'queries/run.sql', line: 4, col: 1, message: 'missing tag' });
 * // 'queries/run.sql:4:1: missing tag'
 * ```
 */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.path}:${d.line}:${d.col}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;
}

/**
 * Orders diagnostics by file, then position, so a run's report is stable.
 *
 * @example
 * ```ts
 * const sorted = [...diagnostics].sort(compareDiagnostics);
 * ```
 */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return a.line - b.line || a.col - b.col || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}
