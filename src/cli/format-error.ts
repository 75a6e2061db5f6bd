/**
 * The stderr line of an error that ended a command or one name of it: `msb: <message> [CODE]`, the
 * code shown when the error has a machine-readable one.
 *
 * @example
 * ```ts
 * io.err(formatError(new HostError('SANDBOX_NOT_FOUND', 'sandbox "a" does not exist')));
 * // 'msb: sandbox "a" does not exist [SANDBOX_NOT_FOUND]\n'
 * ```
 */
export function formatError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const tag = err instanceof Error && 'code' in err && typeof err.code === 'string' ? ` [${err.code}]` : '';
  return `msb: ${message}${tag}\n`;
}
