import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * SIGKILLs every process that belongs to a storm's temp home: its command line names `home` (the
 * runtimes, whose `--db` or `--dir` lies under it) or its working directory is under it (the
 * workloads). The last line of cleanup, for processes a crashed mode child could not kill itself; the
 * home is a fresh `mkdtemp` path, so no unrelated process matches. Returns how many were killed.
 *
 * @example
 * ```ts
 * const strays = killHomeProcesses('/tmp/msb-storm-typed-abc123');
 * ```
 */
export function killHomeProcesses(home: string): number {
  let killed = 0;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) continue;
    if (!belongsTo(pid, home)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  return killed;
}

function belongsTo(pid: number, home: string): boolean {
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(home)) return true;
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return cwd === home || cwd.startsWith(`${home}/`);
  } catch {
    // Gone meanwhile, or not ours to inspect (EACCES): not a process this benchmark started.
    return false;
  }
}
