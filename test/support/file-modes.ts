import { statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Runs `body` with the process umask set to `mask` (children spawned meanwhile inherit it), then
 * restores the previous umask even if `body` throws. Vitest's `forks` pool makes this per test file.
 *
 * @example
 * ```ts
 * await withUmask(0o000, () => msb(home, ['create', 'a', '--', 'sleep', '60']));
 * ```
 */
export async function withUmask<T>(mask: number, body: () => T | Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await body();
  } finally {
    process.umask(previous);
  }
}

/**
 * The permission bits of each path under `root` as octal text (`'0700'`), keyed by the relative path
 * (`'.'` is `root`), so one `toEqual` shows every wrong mode at once.
 *
 * @example
 * ```ts
 * expect(modesUnder(home, ['.', 'db'])).toEqual({ '.': '0700', db: '0700' });
 * ```
 */
export function modesUnder(root: string, paths: readonly string[]): Record<string, string> {
  return Object.fromEntries(paths.map((p) => [p, octalMode(join(root, p))]));
}

/**
 * The permission bits of `path` as octal text, e.g. `'0644'`.
 *
 * @example
 * ```ts
 * expect(octalMode(logPath)).toBe('0600');
 * ```
 */
export function octalMode(path: string): string {
  return `0${(statSync(path).mode & 0o777).toString(8).padStart(3, '0')}`;
}
