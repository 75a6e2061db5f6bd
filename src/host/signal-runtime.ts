/**
 * Sends `signal` to a runtime, either to the runtime process alone (`'process'`, so it can forward a
 * graceful signal to its workload) or to its whole process group (`'group'`: the runtime is started
 * detached, so its pid is its group id and the workload shares the group).
 *
 * Resolves whether anything received the signal; a process that is already gone is not an error.
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
  if (target === 'group' && send(-pid, signal)) return true;
  // A group that no longer has a leader's pgid (or a runtime not started detached) still has the pid.
  return send(pid, signal);
}

function send(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
