import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { REPORT_FD, type RuntimeReport } from '../../runtime/protocol.js';
import { sandboxDir } from '../../runtime/sandbox-dir.js';
import { HostError } from '../host-error.js';
import { signalRuntime } from '../signal-runtime.js';

/**
 * What {@link startRuntime} needs.
 *
 * @example
 * ```ts
 * const options: StartRuntimeOptions = { dbPath, sandboxName: 'web', sandboxId: 3, msbHome: home, timeoutMs: 30_000 };
 * ```
 */
export interface StartRuntimeOptions {
  readonly dbPath: string;
  readonly sandboxName: string;
  /**
   * The sandbox row to run: the runtime refuses to run if that row is gone or no longer has `sandboxName`
   * (removed or replaced during the start), so it can never take over a newer sandbox of the same name.
   */
  readonly sandboxId: number;
  /**
   * The msb home, passed as `--home`: the runtime's log goes to `<msbHome>/sandboxes/<name>/runtime.log`,
   * and the runtime derives the sandbox directory and reads `config.json` from it.
   */
  readonly msbHome: string;
  /** How long to wait for the runtime's report before killing it (default 30 000). */
  readonly timeoutMs?: number;
  /** Passed to the runtime as `--connect-timeout-ms` (default: the msb home's `connect_timeout_secs`). */
  readonly connectTimeoutMs?: number;
  /** Passed as `--stop-grace-ms`: how long a stopped workload gets before SIGKILL (runtime default 10 s). */
  readonly stopGraceMs?: number;
  /**
   * Called with the runtime's pid as soon as it is spawned, so a caller can clean up after a runtime
   * that fails or is killed before its report (its run row, if it inserted one, carries that pid).
   */
  readonly onSpawn?: (runtimePid: number) => void;
}

/**
 * A runtime that reported ready: its run row exists, its workload was started, and its first metric is
 * stored (unless the workload had already exited: then there was nothing to sample, and its exit is
 * recorded next).
 *
 * @example
 * ```ts
 * const { runId, runtimePid, workloadPid, busyRetries }: RuntimeStarted = await startRuntime(options);
 * ```
 */
export interface RuntimeStarted {
  readonly runId: number;
  readonly runtimePid: number;
  readonly workloadPid: number;
  /** Busy retries the runtime's writer needed before it reported. */
  readonly busyRetries: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The compiled runtime entry, `dist/runtime/main.js`, found relative to this module: next to it when
 * this is the compiled `dist/host/runtime/start-runtime.js`; in the project's `dist/` when this module
 * runs from its TypeScript source (tests, `tsx`), since the runtime is always plain compiled JavaScript.
 *
 * @example
 * ```ts
 * spawn(process.execPath, [RUNTIME_MAIN, '--db', dbPath, '--home', home, '--sandbox', 'web', '--sandbox-id', '3']);
 * ```
 */
export const RUNTIME_MAIN = fileURLToPath(
  import.meta.url.endsWith('.ts')
    ? new URL('../../../dist/runtime/main.js', import.meta.url)
    : new URL('../../runtime/main.js', import.meta.url),
);

/**
 * Starts the runtime process of one sandbox and waits for its report.
 *
 * 1. Spawns `node dist/runtime/main.js --db <dbPath> --home <msbHome> --sandbox <name> --sandbox-id <id>`
 *    with `process.execPath`, detached (its own process group, which its workload joins), stdin and stdout closed, stderr
 *    appended to `<msbHome>/sandboxes/<name>/runtime.log`, and fd 3 a pipe for the report.
 * 2. Resolves with the `ready` report. From then on nothing of the runtime is referenced by this process:
 *    the host may exit while the runtime keeps running.
 * 3. Rejects with `HostError` `RUNTIME_START_FAILED` naming the sandbox on a `failed` report (with the
 *    runtime's code and message), on EOF without a report (the runtime died; the end of its log is
 *    quoted), or after `timeoutMs` (then the runtime's whole process group is killed with SIGKILL).
 *
 * Compiled code only: from `src/` under a TS loader the path points at `src/runtime/main.js`, which does
 * not exist; run `npm run build` first.
 *
 * @example
 * ```ts
 * const started = await startRuntime({ dbPath: dbPathFor(home), sandboxName: 'web', sandboxId: 3, msbHome: home });
 * console.log(`runtime ${started.runtimePid} runs workload ${started.workloadPid}`);
 * ```
 */
export function startRuntime(options: StartRuntimeOptions): Promise<RuntimeStarted> {
  const { dbPath, sandboxName, sandboxId, msbHome } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const dir = sandboxDir(msbHome, sandboxName);
  mkdirSync(dir, { recursive: true });
  const logPath = join(dir, 'runtime.log');
  const args = [RUNTIME_MAIN, '--db', dbPath, '--home', msbHome, '--sandbox', sandboxName];
  args.push('--sandbox-id', String(sandboxId));
  if (options.connectTimeoutMs !== undefined)
    args.push('--connect-timeout-ms', String(options.connectTimeoutMs));
  if (options.stopGraceMs !== undefined) args.push('--stop-grace-ms', String(options.stopGraceMs));

  if (!existsSync(RUNTIME_MAIN)) {
    return Promise.reject(
      new HostError(
        'RUNTIME_START_FAILED',
        `sandbox "${sandboxName}": runtime entry ${RUNTIME_MAIN} does not exist (run npm run build)`,
      ),
    );
  }
  const log = openSync(logPath, 'a');
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'ignore', log, 'pipe'] });
  } finally {
    closeSync(log);
  }
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  const pipe = child.stdio[REPORT_FD] as Readable;
  const fail = (message: string, cause?: unknown): HostError =>
    new HostError(
      'RUNTIME_START_FAILED',
      `sandbox "${sandboxName}": runtime did not start: ${message}`,
      cause === undefined ? undefined : { cause },
    );

  return new Promise<RuntimeStarted>((resolve, reject) => {
    let text = '';
    let settled = false;
    const finish = (outcome: { ok: RuntimeStarted } | { err: HostError }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      pipe.removeAllListeners('data');
      pipe.destroy();
      child.removeAllListeners('error');
      child.unref();
      if ('ok' in outcome) resolve(outcome.ok);
      else reject(outcome.err);
    };
    const timer = setTimeout(() => {
      killGroup(child.pid);
      finish({ err: fail(`no report within ${timeoutMs} ms; killed its process group${logTail(logPath)}`) });
    }, timeoutMs);

    child.once('error', (err) =>
      finish({ err: fail(`cannot spawn ${process.execPath}: ${err.message}`, err) }),
    );
    pipe.setEncoding('utf8');
    pipe.on('data', (chunk: string) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline === -1) return;
      let report: unknown;
      try {
        report = JSON.parse(text.slice(0, newline));
      } catch (err) {
        killGroup(child.pid);
        finish({ err: fail(`unreadable report ${JSON.stringify(text.slice(0, newline))}`, err) });
        return;
      }
      finish(toOutcome(report, fail));
    });
    pipe.once('end', () => finish({ err: fail(`it exited without a report${logTail(logPath)}`) }));
    pipe.once('error', (err) => finish({ err: fail(`report pipe failed: ${err.message}`, err) }));
  });
}

function toOutcome(
  report: unknown,
  fail: (message: string) => HostError,
): { ok: RuntimeStarted } | { err: HostError } {
  if (typeof report !== 'object' || report === null) {
    return { err: fail(`unexpected report ${JSON.stringify(report)}`) };
  }
  const r = report as Partial<Record<keyof Extract<RuntimeReport, { type: 'ready' }>, unknown>> &
    Partial<Record<'code' | 'message', unknown>>;
  if (r.type === 'failed') {
    return { err: fail(`${String(r.message)} (${String(r.code)})`) };
  }
  if (
    r.type === 'ready' &&
    typeof r.runId === 'number' &&
    typeof r.runtimePid === 'number' &&
    typeof r.workloadPid === 'number' &&
    typeof r.busyRetries === 'number'
  ) {
    return {
      ok: {
        runId: r.runId,
        runtimePid: r.runtimePid,
        workloadPid: r.workloadPid,
        busyRetries: r.busyRetries,
      },
    };
  }
  return { err: fail(`unexpected report ${JSON.stringify(report)}`) };
}

function killGroup(pid: number | undefined): void {
  if (pid !== undefined) signalRuntime(pid, 'SIGKILL', 'group');
}

function logTail(logPath: string): string {
  try {
    const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-5).join('\n');
    return lines === '' ? '' : `; ${logPath} ends with:\n${lines}`;
  } catch {
    return '';
  }
}
