/**
 * Sends `signal` (default SIGKILL) to the process group `pgid`: a runtime is started detached, so its
 * pid is its group id and its workload shares the group. Resolves whether anything received it; a group
 * that is gone (`ESRCH`) or not ours (`EPERM`) is not an error. `undefined` (a child that never got a
 * pid) sends nothing.
 *
 * Linux does not hand out a pid while it is still some group's id, so signalling `-pgid` reaches the
 * runtime's group, or what is left of it, and never an unrelated process.
 *
 * @example
 * ```ts
 * killGroup(child.pid); // the runtime and everything it started
 * ```
 */
export function killGroup(pgid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  if (pgid === undefined) return false;
  // kill(-1) would signal every process we may signal, kill(-0) our own group.
  if (!Number.isSafeInteger(pgid) || pgid <= 1)
    throw new RangeError(`killGroup: ${pgid} is not a process group id`);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' || code === 'EPERM') return false;
    throw err;
  }
}
