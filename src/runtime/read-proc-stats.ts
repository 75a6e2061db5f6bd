import { readFile } from 'node:fs/promises';
import { sumNetDev } from './sum-net-dev.js';

/**
 * Clock ticks per second of the times in `/proc/<pid>/stat` (`getconf CLK_TCK`). Linux reports those
 * times in USER_HZ, which is part of the user-space ABI and is 100 on every architecture Node runs on,
 * whatever the kernel's internal HZ; Node exposes no sysconf, and spawning `getconf` per runtime would
 * cost more than the whole sampler. A test checks the constant against `getconf CLK_TCK`.
 *
 * @example
 * ```ts
 * const cpuSeconds = (utime + stime) / CLOCK_TICKS_PER_SECOND;
 * ```
 */
export const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Raw counters of one process read from `/proc`, before they become a sample.
 *
 * @example
 * ```ts
 * const stats: ProcStats | undefined = await readProcStats(pid);
 * ```
 */
export interface ProcStats {
  /** utime + stime, in clock ticks. */
  readonly cpuTicks: number;
  /** Seconds the process has existed (from its `starttime` and `/proc/uptime`). */
  readonly ageSeconds: number;
  readonly rssBytes: number;
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly netRxBytes: number;
  readonly netTxBytes: number;
}

/**
 * Reads a process's CPU time, resident memory, block I/O and network counters from `/proc`.
 *
 * 1. Returns `undefined` when the process is gone (its `/proc` entry vanished between reads).
 * 2. Memory is `VmRSS` of `/proc/<pid>/status` (absent for a zombie: then 0).
 * 3. Disk I/O is `read_bytes`/`write_bytes` of `/proc/<pid>/io`, which the kernel lets only a process
 *    with ptrace read access open (another user's process, or a hardened container, gives EACCES); then
 *    both are 0, since a sample without I/O is more useful than no sample.
 * 4. Network counters come from `/proc/<pid>/net/dev`, summed over every interface but `lo`. They belong
 *    to the process's network namespace, not to the process: a workload in the host namespace sees the
 *    host's traffic.
 *
 * @example
 * ```ts
 * const stats = await readProcStats(child.pid!);
 * if (stats !== undefined) console.log(stats.rssBytes);
 * ```
 */
export async function readProcStats(pid: number): Promise<ProcStats | undefined> {
  try {
    const [stat, status, uptime, io, netDev] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/status`, 'utf8'),
      readFile('/proc/uptime', 'utf8'),
      readFile(`/proc/${pid}/io`, 'utf8').catch((err: unknown) => {
        if (isErrno(err, 'EACCES') || isErrno(err, 'EPERM')) return '';
        throw err;
      }),
      readFile(`/proc/${pid}/net/dev`, 'utf8'),
    ]);
    // The command name in parentheses may itself hold spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const field = (n: number): number => Number(fields[n - 3]);
    const startSeconds = field(22) / CLOCK_TICKS_PER_SECOND;
    return {
      cpuTicks: field(14) + field(15),
      ageSeconds: Math.max(0, Number(uptime.split(' ')[0]) - startSeconds),
      rssBytes: keyedNumber(status, 'VmRSS:') * 1024,
      readBytes: keyedNumber(io, 'read_bytes:'),
      writeBytes: keyedNumber(io, 'write_bytes:'),
      ...sumNetDev(netDev),
    };
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ESRCH')) return undefined;
    throw err;
  }
}

function keyedNumber(text: string, key: string): number {
  const start = text.indexOf(`\n${key}`);
  const at = start === -1 ? (text.startsWith(key) ? 0 : -1) : start + 1;
  if (at === -1) return 0;
  const value = Number.parseInt(text.slice(at + key.length).trimStart(), 10);
  return Number.isFinite(value) ? value : 0;
}

function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === code;
}
