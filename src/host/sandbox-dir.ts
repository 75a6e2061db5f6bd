import { join } from 'node:path';

/**
 * The directory of a sandbox: `<home>/sandboxes/<name>` (the workload's default working directory).
 *
 * @example
 * ```ts
 * sandboxDir('/root/.microsandbox', 'web'); // '/root/.microsandbox/sandboxes/web'
 * ```
 */
export function sandboxDir(home: string, name: string): string {
  return join(home, 'sandboxes', name);
}
