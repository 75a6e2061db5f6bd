import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLOCK_TICKS_PER_SECOND } from '../../src/runtime/read-proc-stats.js';

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

/**
 * This process's child with an argument ending in `script` (its pid, and the CPU it spent itself,
 * user + system, not counting its own children), or `undefined` if there is none.
 *
 * @example
 * ```ts
 * const launcher = childRunning('launcher-process.cjs');
 * ```
 */
export function childRunning(
  script: string,
): { readonly pid: number; readonly ownCpuMs: number } | undefined {
  for (const entry of childPids() ?? readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name (in parentheses, may hold spaces) start at field 3 (state):
      // ppid is field 4, utime 14, stime 15.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[4 - 3]) !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (!cmdline.some((arg) => arg.endsWith(script))) continue;
      return {
        pid: Number(entry),
        ownCpuMs: ((Number(fields[14 - 3]) + Number(fields[15 - 3])) / CLOCK_TICKS_PER_SECOND) * 1000,
      };
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/**
 * This process's children from `/proc/self/task/<tid>/children` (one file per thread that forked), so
 * a host with hundreds of processes on the machine reads a few files rather than all of /proc; undefined
 * where the kernel does not provide those files.
 */
function childPids(): string[] | undefined {
  // The main thread's file exists wherever the kernel provides them.
  if (!existsSync(`/proc/self/task/${process.pid}/children`)) return undefined;
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      return readFileSync(`/proc/self/task/${tid}/children`, 'utf8').split(/\s+/).filter(Boolean);
    } catch {
      // A thread that ended since the directory was read.
      return [];
    }
  });
}
