import { join } from 'node:path';

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
