/**
 * A benchmark's whole-number flag: `fallback` when absent; otherwise the number, or a message naming
 * the benchmark and the flag on stderr and exit code 2 (a bad command line, not a failed run).
 *
 * @example
 * ```ts
 * const count = wholeNumberFlag('bench:db-storm', values.count, '--count', { fallback: 200, min: 1 });
 * ```
 */
export function wholeNumberFlag(
  program: string,
  text: string | undefined,
  flag: string,
  { fallback, min }: { readonly fallback: number; readonly min: number },
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    process.stderr.write(
      `${program}: ${flag} must be a whole number >= ${min}, got ${JSON.stringify(text)}\n`,
    );
    process.exit(2);
  }
  return value;
}
