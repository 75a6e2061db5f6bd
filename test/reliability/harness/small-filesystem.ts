import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Mounts a tmpfs of `bytes` over `dir` (which should be empty), so everything below it shares that
 * much space; resolves the function that unmounts it, or the reason it could not (mounting needs root
 * or CAP_SYS_ADMIN). A mount namespace would need no global mount, but SQLite resolves the
 * `/proc/<pid>/root` link that reaching into one takes, so the database could not be read from here.
 *
 * @example
 * ```ts
 * const unmount = await mountSmallFilesystem(home, 8 << 20);
 * if (typeof unmount === 'string') console.error(unmount);
 * ```
 */
export async function mountSmallFilesystem(
  dir: string,
  bytes: number,
): Promise<(() => Promise<void>) | string> {
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'msb-small', dir]);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    return `cannot mount a ${bytes >> 20} MiB tmpfs: ${stderr || (err as Error).message}`;
  }
  return async () => {
    // Lazy: a process that escaped the kill must not keep the mount (and its directory) alive.
    await run('umount', ['--lazy', dir]);
  };
}
