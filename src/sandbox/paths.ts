import { join } from 'node:path';

/**
 * The directory of one sandbox, `<home>/sandboxes/<name>`: the workload's default working directory and
 * the place of `stdout.log`, `stderr.log` and `runtime.log`. The one definition of the layout: the host
 * creates and wipes it, and passes its msb home to the runtime (`--home`) so both derive the same path.
 *
 * @example
 * ```ts
 * sandboxDir('/home/me/.microsandbox', 'web'); // '/home/me/.microsandbox/sandboxes/web'
 * ```
 */
export function sandboxDir(home: string, sandboxName: string): string {
  return join(home, 'sandboxes', sandboxName);
}

/**
 * The directory of a volume: `<home>/volumes/<name>`.
 *
 * @example
 * ```ts
 * volumeDir('/root/.microsandbox', 'cache'); // '/root/.microsandbox/volumes/cache'
 * ```
 */
export function volumeDir(home: string, name: string): string {
  return join(home, 'volumes', name);
}
