import { readdirSync, readFileSync } from 'node:fs';

/**
 * Sends `signal` to every other process of the runtime's process group (the workload and whatever it
 * started), the way a container's remaining processes die with its init.
 *
 * 1. Only when the runtime leads its group (`startRuntime` starts it detached): a runtime started from a
 *    shell shares the shell's group, and signalling that would hit unrelated processes. Then nothing is
 *    sent and 0 is returned.
 * 2. Members are found by scanning `/proc/<pid>/stat` for the group id; the runtime itself is skipped,
 *    and a process that vanished meanwhile is ignored.
 *
 * Returns how many processes were signalled.
 *
 * @example
 * ```ts
 * child.once('exit', () => killGroupMembers('SIGKILL')); // nothing the workload left behind survives
 * ```
 */
export function killGroupMembers(signal: NodeJS.Signals): number {
  const group = processGroupOf(process.pid);
  if (group !== process.pid) return 0;
  let signalled = 0;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    if (processGroupOf(pid) !== group) continue;
    try {
      process.kill(pid, signal);
      signalled++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  return signalled;
}

function processGroupOf(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the parenthesised command name: state, ppid, pgrp, ...
  const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  return Number.isInteger(pgrp) ? pgrp : undefined;
}
