import { setTimeout as sleep } from 'node:timers/promises';
import { isPidAlive } from './is-pid-alive.js';

/**
 * Polls (asynchronously) until `pid` is dead or `timeoutMs` has passed; resolves whether it died.
 *
 * @example
 * ```ts
 * process.kill(pid, 'SIGTERM');
 * if (!(await waitForPidExit(pid, 5_000))) process.kill(-pid, 'SIGKILL');
 * ```
 */
export async function waitForPidExit(pid: number, timeoutMs: number, pollMs = 20): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (!isPidAlive(pid)) return true;
    const remaining = deadline - performance.now();
    if (remaining <= 0) return false;
    await sleep(Math.min(pollMs, remaining));
  }
}
