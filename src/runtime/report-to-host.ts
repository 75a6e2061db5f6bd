import { closeSync, fstatSync, writeSync } from 'node:fs';
import { REPORT_FD, type RuntimeReport } from '../sandbox/protocol.js';
import { runtimeLog } from './runtime-log.js';

let reported = false;

/**
 * Writes the runtime's one report as a JSON line on fd 3, then closes fd 3 so the host sees EOF;
 * later calls do nothing.
 */
export function reportToHost(report: RuntimeReport): void {
  if (reported) return;
  reported = true;
  if (!isHostPipe()) return;
  try {
    // Synchronous: the line is far below PIPE_BUF, and the runtime may exit right after.
    writeSync(REPORT_FD, `${JSON.stringify(report)}\n`);
  } catch (err) {
    // A host that is gone (EPIPE): the run row is what matters, so go on.
    runtimeLog(`report to the host was lost: ${(err as Error).message}`);
  } finally {
    closeSync(REPORT_FD);
  }
}

// Started by hand, fd 3 is not the host's pipe but whatever the process opened there (libuv's own epoll
// descriptor, in a plain `node`): writing to it fails and closing it would break the event loop.
function isHostPipe(): boolean {
  try {
    const stat = fstatSync(REPORT_FD);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}
