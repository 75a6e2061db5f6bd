import { readFileSync } from 'node:fs';

/**
 * Whether a process exists: `kill(pid, 0)` succeeds or fails with `EPERM` (alive, owned by someone
 * else), and the process is not a zombie.
 *
 * Zombies count as dead: a runtime killed while its parent (this host, or an init that does not reap)
 * has not collected it still answers `kill(pid, 0)`, but it will never record anything again.
 *
 * @example
 * ```ts
 * isPidAlive(process.pid); // true
 * ```
 */
export function isPidAlive(pid: number): boolean {
  // 0 and negative numbers address process groups; they never name one runtime.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // No procfs (or the process just went away): kill(pid, 0) already answered.
    return false;
  }
  // The command name in parentheses may itself hold spaces and parentheses; the state follows the last ')'.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}
