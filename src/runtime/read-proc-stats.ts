import { readFileSync } from 'node:fs';
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
 *
 * Synchronous on purpose: procfs files are generated in memory and never wait on a disk, and this runs
 * once a second in every runtime. Read through `fs/promises` (open, stat, reads until EOF, close, each
 * a thread-pool round trip, for each of the five files) a sample cost 1030 µs of CPU [897–1091]; read
 * here, parsing included, 158 µs [121–199] (`npm run bench:proc-read`, 5 × 500 samples). At 200
 * sandboxes that is ~200 against ~30 ms of CPU per second, taken from the runtimes still booting.
 *
 * @example
 * ```ts
 * const stats = readProcStats(child.pid!);
 * if (stats !== undefined) console.log(`${stats.cpuTicks / CLOCK_TICKS_PER_SECOND} s of CPU`);
 * ```
 */
export function readProcStats(pid: number): ProcStats | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const uptime = readFileSync('/proc/uptime', 'utf8');
    let io = '';
    try {
      io = readFileSync(`/proc/${pid}/io`, 'utf8');
    } catch (err) {
      if (!isErrno(err, 'EACCES') && !isErrno(err, 'EPERM')) throw err;
    }
    const netDev = readFileSync(`/proc/${pid}/net/dev`, 'utf8');
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
