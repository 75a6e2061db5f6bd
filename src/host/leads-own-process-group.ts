import { readFileSync } from 'node:fs';

/**
 * Whether process `pid` leads its own process group (its pgrp is its pid), read from
 * `/proc/<pid>/stat`. A live runtime always does (the host starts it detached), so a pid that does not
 * is no runtime of ours: it died and the kernel handed its pid to an unrelated process.
 *
 * False when the process does not exist (or there is no procfs to ask).
 *
 * @example
 * ```ts
 * if (!leadsOwnProcessGroup(run.pid)) console.error(`runtime pid ${run.pid} is gone`);
 * ```
 */
export function leadsOwnProcessGroup(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ')'.
  const pgrp = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2];
  return pgrp !== undefined && Number(pgrp) === pid;
}
