import { readdirSync, readFileSync } from 'node:fs';

/**
 * Sends `signal` to every other member of the runtime's process group (the workload and its
 * descendants) and returns how many; does nothing unless the runtime leads its group, since one
 * started from a shell shares the shell's group.
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
