import { spawn } from 'node:child_process';
import { closeSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { makePrivateDir, openPrivateAppend } from '../db/private-files.js';
import { killGroup } from '../sandbox/kill-group.js';
import { REPORT_FD, type RuntimeReport } from '../sandbox/protocol.js';
import { saveCodeCache } from '../sandbox/save-code-cache.js';

/**
 * The argument that makes this module serve its IPC channel: only the process forked for it does, so a
 * process that imports it and has a channel of its own (a test runner's fork) keeps that channel.
 *
 * @example
 * ```ts
 * fork(LAUNCHER_MAIN, [LAUNCHER_FLAG], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
 * ```
 */
export const LAUNCHER_FLAG = '--msb-runtime-launcher';

/** What the host asks for: one runtime process started and its report awaited. */
export interface LaunchRequest {
  readonly id: number;
  readonly execPath: string;
  readonly args: readonly string[];
  /** Where the runtime's stderr is appended (`runtime.log`). */
  readonly logPath: string;
  readonly timeoutMs: number;
}

/** The runtime's pid as soon as it is spawned, then its outcome. */
export type LaunchReply =
  | { readonly id: number; readonly type: 'spawned'; readonly pid: number }
  | { readonly id: number; readonly type: 'ready'; readonly report: ReadyReport }
  | { readonly id: number; readonly type: 'failed'; readonly message: string };

type ReadyReport = Omit<Extract<RuntimeReport, { type: 'ready' }>, 'type'>;

/**
 * Spawns one runtime detached (its own process group), stdin and stdout closed, stderr appended to the
 * log, fd 3 a pipe, and settles with its ready report or the reason it did not start. A runtime that
 * sends no report within the timeout, or an unreadable one, has its process group SIGKILLed.
 */
function launch(request: LaunchRequest, reply: (message: LaunchReply) => void): void {
  const { id, logPath, timeoutMs } = request;
  let child: ReturnType<typeof spawn>;
  try {
    // The sandbox directory is made here, just before the log opens: a replace may wipe it meanwhile.
    makePrivateDir(dirname(logPath));
    const log = openPrivateAppend(logPath);
    try {
      child = spawn(request.execPath, request.args, {
        detached: true,
        stdio: ['ignore', 'ignore', log, 'pipe'],
      });
    } finally {
      closeSync(log);
    }
  } catch (err) {
    reply({ id, type: 'failed', message: `cannot spawn ${request.execPath}: ${(err as Error).message}` });
    return;
  }
  const pid = child.pid;
  if (pid !== undefined) reply({ id, type: 'spawned', pid });
  const pipe = child.stdio[REPORT_FD] as Readable;
  let text = '';
  let settled = false;
  const finish = (message: LaunchReply): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    pipe.removeAllListeners('data');
    pipe.destroy();
    child.removeAllListeners('error');
    // From here on nothing of the runtime is referenced: the host may exit while it runs.
    child.unref();
    reply(message);
    // Once a start has run its whole path, what every later launcher compiles is compiled.
    saveCodeCache();
  };
  const timer = setTimeout(() => {
    killGroup(pid);
    finish({
      id,
      type: 'failed',
      message: `no report within ${timeoutMs} ms; killed its process group${logTail(logPath)}`,
    });
  }, timeoutMs);

  child.once('error', (err) =>
    finish({ id, type: 'failed', message: `cannot spawn ${request.execPath}: ${err.message}` }),
  );
  pipe.setEncoding('utf8');
  pipe.on('data', (chunk: string) => {
    text += chunk;
    const newline = text.indexOf('\n');
    if (newline === -1) return;
    let report: unknown;
    try {
      report = JSON.parse(text.slice(0, newline));
    } catch {
      killGroup(pid);
      finish({ id, type: 'failed', message: `unreadable report ${JSON.stringify(text.slice(0, newline))}` });
      return;
    }
    finish(toReply(id, report));
  });
  pipe.once('end', () => {
    // The runtime died before its report, maybe after spawning its workload: what is left of its group
    // is nobody's now (the failed start stops the sandbox, so the reaper never looks at it).
    if (!settled) killGroup(pid);
    finish({ id, type: 'failed', message: `it exited without a report${logTail(logPath)}` });
  });
  pipe.once('error', (err) => finish({ id, type: 'failed', message: `report pipe failed: ${err.message}` }));
}

function toReply(id: number, report: unknown): LaunchReply {
  const r = (typeof report === 'object' && report !== null ? report : {}) as Record<string, unknown>;
  if (r.type === 'failed') return { id, type: 'failed', message: `${String(r.message)} (${String(r.code)})` };
  const { runId, runtimePid, workloadPid, busyRetries } = r;
  if (
    r.type === 'ready' &&
    typeof runId === 'number' &&
    typeof runtimePid === 'number' &&
    typeof workloadPid === 'number' &&
    typeof busyRetries === 'number'
  ) {
    return { id, type: 'ready', report: { runId, runtimePid, workloadPid, busyRetries } };
  }
  return { id, type: 'failed', message: `unexpected report ${JSON.stringify(report)}` };
}

function logTail(logPath: string): string {
  try {
    const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-5).join('\n');
    return lines === '' ? '' : `; ${logPath} ends with:\n${lines}`;
  } catch {
    return '';
  }
}

// The launcher process: requests arrive on the IPC channel from the host that forked it. Once the host
// is gone (its channel closes) there is nobody to report to, so the launcher ends; the runtimes it
// started run on, detached in their own process groups, as they would after the host's own exit.
if (process.send !== undefined && process.argv.includes(LAUNCHER_FLAG)) {
  process.on('message', (request: LaunchRequest) =>
    launch(request, (message) => {
      if (process.connected) process.send!(message);
    }),
  );
  process.once('disconnect', () => process.exit(0));
}
