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

/**
 * The logs of a sandbox, in its directory: the workload's `stdout.log` and `stderr.log` (appended by
 * every run) and the runtime's own `runtime.log`.
 *
 * @example
 * ```ts
 * sandboxLogPath(home, 'web', 'stderr'); // '<home>/sandboxes/web/stderr.log'
 * ```
 */
export function sandboxLogPath(home: string, sandboxName: string, log: SandboxLog): string {
  return join(sandboxDir(home, sandboxName), `${log}.log`);
}

/**
 * Which log of a sandbox: the workload's two streams or the runtime's own.
 *
 * @example
 * ```ts
 * const log: SandboxLog = 'runtime';
 * ```
 */
export type SandboxLog = 'stdout' | 'stderr' | 'runtime';
