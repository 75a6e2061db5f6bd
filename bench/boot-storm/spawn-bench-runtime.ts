import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { REPORT_FD } from '../../src/runtime/protocol.js';
import { BenchRuntimeError } from './bench-runtime-error.js';
import { killGroup } from './kill-group.js';

/**
 * A bench runtime that reported ready.
 *
 * @example
 * ```ts
 * const { runtimePid, exited } = await spawnBenchRuntime(script, args, { logPath, timeoutMs: 60_000 });
 * ```
 */
export interface BenchRuntime {
  readonly runtimePid: number;
  readonly workloadPid: number;
  /** The run row it inserted (absent for the `none` runtime, which has no database). */
  readonly runId: number | undefined;
  /** Settles when the runtime process exits, with its exit code or signal. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

/**
 * Starts a compiled bench runtime the way `startRuntime` starts the real one, and waits for its report.
 *
 * 1. Spawns `node <script> <args…>` with `process.execPath`, detached (its own process group, which its
 *    workload joins), stdin and stdout closed, stderr appended to `logPath`, fd 3 a pipe.
 * 2. Resolves on a `ready` JSON line with numeric `runtimePid` and `workloadPid`.
 * 3. Rejects with {@link BenchRuntimeError}: on a `failed` report (its `code` kept as `reportCode`), on
 *    EOF without a report, on an unreadable line, or after `timeoutMs` (its process group is then
 *    SIGKILLed).
 *
 * @example
 * ```ts
 * const runtime = await spawnBenchRuntime(NAIVE_RUNTIME, ['--db', dbPath, '--sandbox', 'storm-1'], { logPath, timeoutMs });
 * process.kill(runtime.runtimePid, 'SIGTERM');
 * await runtime.exited;
 * ```
 */
export function spawnBenchRuntime(
  script: string,
  args: readonly string[],
  options: { readonly logPath: string; readonly timeoutMs: number },
): Promise<BenchRuntime> {
  const log = openSync(options.logPath, 'a');
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(process.execPath, [script, ...args], {
      detached: true,
      stdio: ['ignore', 'ignore', log, 'pipe'],
    });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const pipe = child.stdio[REPORT_FD] as Readable;
  return new Promise<BenchRuntime>((resolve, reject) => {
    let text = '';
    let settled = false;
    const fail = (message: string, reportCode: string | null = null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      pipe.destroy();
      reject(new BenchRuntimeError(`runtime ${script} did not start: ${message}`, reportCode));
    };
    const timer = setTimeout(() => {
      killGroup(child.pid);
      fail(`no report within ${options.timeoutMs} ms; killed its process group`);
    }, options.timeoutMs);
    child.once('error', (err) => fail(`cannot spawn: ${err.message}`));
    pipe.setEncoding('utf8');
    pipe.on('data', (chunk: string) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline === -1 || settled) return;
      let report: Record<string, unknown>;
      try {
        report = JSON.parse(text.slice(0, newline)) as Record<string, unknown>;
      } catch {
        killGroup(child.pid);
        fail(`unreadable report ${JSON.stringify(text.slice(0, newline))}`);
        return;
      }
      if (report.type === 'failed') {
        fail(`${String(report.message)} (${String(report.code)})`, String(report.code));
        return;
      }
      const { runtimePid, workloadPid, runId } = report;
      if (report.type !== 'ready' || typeof runtimePid !== 'number' || typeof workloadPid !== 'number') {
        killGroup(child.pid);
        fail(`unexpected report ${JSON.stringify(report)}`);
        return;
      }
      settled = true;
      clearTimeout(timer);
      pipe.destroy();
      child.unref();
      resolve({ runtimePid, workloadPid, runId: typeof runId === 'number' ? runId : undefined, exited });
    });
    pipe.once('end', () => fail('it exited without a report'));
    pipe.once('error', (err) => fail(`report pipe failed: ${err.message}`));
  });
}
