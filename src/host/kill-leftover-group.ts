/**
 * Kills what is left of a dead runtime's process group (its workload and the workload's children).
 *
 * A runtime killed from outside (`kill -9 <runtime pid>`) cannot stop its workload, which would run on
 * unsupervised forever. The runtime is started detached, so its pid is the group id; Linux does not
 * hand out a pid while it is still some group's id, so signalling `-pid` reaches only that group and
 * never an unrelated process that reused the runtime's pid. Resolves whether anything was signalled.
 *
 * @example
 * ```ts
 * if (!isPidAlive(run.pid)) killLeftoverGroup(run.pid);
 * ```
 */
export function killLeftoverGroup(runtimePid: number): boolean {
  if (!Number.isSafeInteger(runtimePid) || runtimePid <= 1) {
    throw new RangeError(`killLeftoverGroup: ${runtimePid} is not a runtime pid`);
  }
  try {
    process.kill(-runtimePid, 'SIGKILL');
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ESRCH: the group is empty (the usual case). EPERM: not ours to kill; leave it.
    if (code === 'ESRCH' || code === 'EPERM') return false;
    throw err;
  }
}
