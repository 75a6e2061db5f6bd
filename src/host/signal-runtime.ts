import { leadsOwnProcessGroup } from './leads-own-process-group.js';

/**
 * Sends `signal` to a runtime, either to the runtime process alone (`'process'`, so it can forward a
 * graceful signal to its workload) or to its whole process group (`'group'`: the runtime is started
 * detached, so its pid is its group id and the workload shares the group). This is the one place the
 * host signals runtimes, so every caller gets the same protection against reused pids.
 *
 * 1. `'group'` signals `-pid` only. Linux does not hand out a pid while it is still some group's id,
 *    so this reaches the runtime's group (also what is left of it after the runtime died: its orphaned
 *    workload) and never an unrelated process. No such group (`ESRCH`) means nothing of the runtime is
 *    left; the bare pid is then not ours and is not signalled.
 * 2. `'process'` first checks `/proc/<pid>/stat` that the process still leads its own group, as a
 *    live runtime always does; a process that does not (a reused pid) is treated as gone.
 * 3. Resolves whether anything received the signal. A process or group that is gone, or that belongs
 *    to another user (`EPERM`: not a runtime we started), is not an error.
 *
 * @example
 * ```ts
 * signalRuntime(run.pid, 'SIGTERM', 'process');
 * signalRuntime(run.pid, 'SIGKILL', 'group');
 * ```
 */
export function signalRuntime(pid: number, signal: NodeJS.Signals, target: 'process' | 'group'): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 1) {
    throw new RangeError(`signalRuntime: ${pid} is not a runtime pid`);
  }
  if (target === 'group') return send(-pid, signal);
  return leadsOwnProcessGroup(pid) && send(pid, signal);
}

function send(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' || code === 'EPERM') return false;
    throw err;
  }
}
