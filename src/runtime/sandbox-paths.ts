import { dirname, join } from 'node:path';

/**
 * The msb home that holds a database at `<home>/db/msb.db` (the layout `dbPathFor` builds).
 *
 * @example
 * ```ts
 * msbHomeOfDb('/home/me/.microsandbox/db/msb.db'); // '/home/me/.microsandbox'
 * ```
 */
export function msbHomeOfDb(dbPath: string): string {
  return dirname(dirname(dbPath));
}

/**
 * The directory of one sandbox, `<home>/sandboxes/<name>`: the workload's default working directory and
 * the place of `stdout.log`, `stderr.log` and `runtime.log`.
 *
 * @example
 * ```ts
 * sandboxDirFor('/home/me/.microsandbox', 'web'); // '/home/me/.microsandbox/sandboxes/web'
 * ```
 */
export function sandboxDirFor(home: string, sandboxName: string): string {
  return join(home, 'sandboxes', sandboxName);
}
