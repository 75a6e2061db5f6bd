import { closeSync, writeSync } from 'node:fs';
import { REPORT_FD, type RuntimeReport } from '../sandbox/protocol.js';

let reported = false;

/**
 * Writes the runtime's one report to the host as a JSON line on fd 3, then closes fd 3 so the host sees
 * EOF and the runtime holds no handle of the host's. Later calls do nothing: the host reads one line.
 *
 * A runtime started by hand (no fd 3) just skips the report; a report the host can no longer receive
 * is logged to stderr and otherwise ignored.
 *
 * @example
 * ```ts
 * reportToHost({ type: 'ready', runId, runtimePid: process.pid, workloadPid: child.pid!, busyRetries: 0 });
 * ```
 */
export function reportToHost(report: RuntimeReport): void {
  if (reported) return;
  reported = true;
  try {
    // Synchronous: the line is far below PIPE_BUF, and the runtime may exit right after.
    writeSync(REPORT_FD, `${JSON.stringify(report)}\n`);
  } catch (err) {
    // No fd 3 (started by hand) or a host that is gone (EPIPE): the run row is the record that matters,
    // so the runtime keeps supervising its workload instead of dying over a lost report.
    if ((err as NodeJS.ErrnoException).code !== 'EBADF') {
      process.stderr.write(`runtime report to the host was lost: ${(err as Error).message}\n`);
    }
  } finally {
    try {
      closeSync(REPORT_FD);
    } catch {
      // EBADF: there was no fd 3 to close.
    }
  }
}
