import { writeSync } from 'node:fs';

/**
 * One line in `runtime.log` (the runtime's stderr), for an operator reading a sandbox's history. Best
 * effort: a full disk (ENOSPC), a log that was removed or a closed descriptor must never take the runtime
 * down, since the database, not the log, is the record, and the workload depends on its runtime.
 */
export function runtimeLog(message: string): void {
  try {
    // writeSync, not process.stderr: that stream costs each start ~2 ms of CPU, reports a failed write as
    // an 'error' event that would crash the process, and exit may follow at once.
    writeSync(2, `${new Date().toISOString()} runtime ${process.pid}: ${message}\n`);
  } catch {
    // Nowhere left to say it.
  }
}
