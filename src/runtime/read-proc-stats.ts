import { readFile } from 'node:fs/promises';
import { sumNetDev } from './sum-net-dev.js';

/**
 * USER_HZ, the unit of `/proc/<pid>/stat` times: ABI-fixed at 100 on every architecture Node runs on.
 * Node has no sysconf and spawning `getconf CLK_TCK` costs more than the sampler; a test checks it.
 */
export const CLOCK_TICKS_PER_SECOND = 100;

/** Raw `/proc` counters of one process, before they become a sample. */
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
 * Reads a process's CPU, RSS, block I/O and network counters from `/proc`; `undefined` once it is gone.
 * I/O is 0 when `/proc/<pid>/io` is refused (it needs ptrace access); network counters are those of
 * the process's network namespace, not of the process.
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
