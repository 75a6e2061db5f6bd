import { readFileSync } from 'node:fs';
import { CLOCK_TICKS_PER_SECOND } from '../../src/runtime/read-proc-stats.js';

/**
 * CPU time (user + system, ms) of this process's children that have exited and been reaped, with
 * their own reaped descendants: `cutime + cstime` of `/proc/self/stat`. After a storm that is every
 * runtime and its workload, so the difference over the storm is what the runtimes cost the machine.
 *
 * @example
 * ```ts
 * const before = childrenCpuMs();
 * // … boot and stop runtimes …
 * const perSandbox = (childrenCpuMs() - before) / count;
 * ```
 */
export function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the parenthesised command name start at field 3 (state); cutime and cstime are 16, 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[16 - 3]) + Number(fields[17 - 3]);
  return (ticks / CLOCK_TICKS_PER_SECOND) * 1000;
}
