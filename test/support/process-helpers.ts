import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Whether a pid names a live process (`kill(pid, 0)` succeeds or fails with EPERM); a zombie counts as
 * dead.
 *
 * @example
 * ```ts
 * expect(isAlive(started.workloadPid)).toBe(true);
 * ```
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Polls `check` every 20 ms until it returns a value other than `undefined`/`false`, or fails after
 * `timeoutMs` naming `what`.
 *
 * @example
 * ```ts
 * const run = await waitFor('run terminated', () => terminatedRun(pools, runId));
 * ```
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
