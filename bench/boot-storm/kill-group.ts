/**
 * SIGKILLs the process group led by `pid`, ignoring a group that is already gone.
 *
 * @example
 * ```ts
 * killGroup(runtime.runtimePid);
 * ```
 */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
