import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { DbWriteConnection } from '../db/index.js';
import { connectDb } from './connect-db.js';
import { insertRun } from './insert-run.js';
import { killGroupMembers } from './kill-group-members.js';
import { loadRuntimeSandbox } from './load-runtime-sandbox.js';
import { markRunFailed } from './mark-run-failed.js';
import type { RuntimeArgs } from './parse-runtime-args.js';
import { parseSandboxConfig } from './parse-sandbox-config.js';
import { recordRunExit } from './record-run-exit.js';
import { reportToHost } from './report-to-host.js';
import { runMetricsSampler } from './run-metrics-sampler.js';
import { workloadOutcome } from './run-outcome.js';
import { msbHomeOfDb, sandboxDirFor } from './sandbox-paths.js';
import { spawnWorkload } from './spawn-workload.js';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
const DEFAULT_STOP_GRACE_MS = 10_000;

/**
 * The whole life of a runtime process; resolves with the process's exit code once the workload has
 * ended and its end is recorded.
 *
 * 1. Opens its own writer (`connectDb`), loads the sandbox, inserts its run (its own pid) and marks the
 *    sandbox Running.
 * 2. Starts the workload; if it cannot start, the run is Terminated/Failed with the reason, the sandbox
 *    Stopped, and a `failed` report goes to the host.
 * 3. Stores the first metric sample, then reports `ready` (run id, pids, busy retries) on fd 3 and
 *    samples every `metricsIntervalMs`.
 * 4. SIGTERM, SIGINT and SIGHUP are forwarded to the workload; if it is still alive after the stop grace
 *    period it gets SIGKILL, so a runtime told to stop never leaves it behind. A signal that arrives
 *    before the workload started prevents the start.
 * 5. When the workload exits, whatever it left in the runtime's process group gets SIGKILL; its outcome
 *    (Completed / Failed / Signal, exit code or signal) is recorded, the sandbox Stopped, the database
 *    closed.
 *
 * @example
 * ```ts
 * process.exitCode = await runRuntime({ dbPath, sandboxName: 'web' });
 * ```
 */
export async function runRuntime(args: RuntimeArgs): Promise<number> {
  let stopSignal: NodeJS.Signals | null = null;
  let child: ChildProcess | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    stopSignal ??= signal;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    killTimer ??= setTimeout(() => child?.kill('SIGKILL'), args.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, stop);

  let write: DbWriteConnection | undefined;
  try {
    write = await connectDb(args.dbPath, args);
    const sandbox = await loadRuntimeSandbox(write, args.sandboxName);
    const runId = await insertRun(write, { sandboxId: sandbox.id, pid: process.pid });
    const fail = async (err: unknown): Promise<number> => {
      const detail = err instanceof Error ? err.message : String(err);
      await markRunFailed(write!, { runId, sandboxId: sandbox.id, detail });
      log(`run ${runId}: Failed (${detail})`);
      reportToHost({ type: 'failed', code: errorCode(err), message: detail });
      return 1;
    };

    let config: ReturnType<typeof parseSandboxConfig>;
    let sandboxDir: string;
    try {
      config = parseSandboxConfig(sandbox.name, sandbox.configJson);
      sandboxDir = sandboxDirFor(msbHomeOfDb(args.dbPath), sandbox.name);
      mkdirSync(sandboxDir, { recursive: true });
      if (stopSignal !== null)
        throw new Error(`runtime stopped by ${stopSignal} before the workload started`);
      child = await spawnWorkload(sandbox.name, config, sandboxDir);
    } catch (err) {
      return await fail(err);
    }

    const workload = child;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      workload.once('exit', (code, signal) => resolve({ code, signal }));
    });
    // After the start, an 'error' only reports a failed kill() of a workload that is already gone.
    workload.on('error', (err) => process.stderr.write(`workload of "${sandbox.name}": ${err.message}\n`));
    if (stopSignal !== null) stop(stopSignal);

    const sampler = runMetricsSampler(write, {
      sandboxId: sandbox.id,
      pid: workload.pid!,
      intervalMs: config.metricsIntervalMs,
    });
    await sampler.firstSample;
    reportToHost({
      type: 'ready',
      runId,
      runtimePid: process.pid,
      workloadPid: workload.pid!,
      busyRetries: write.stats.busyRetries,
    });

    log(`run ${runId}: workload pid ${workload.pid} started (${config.command})`);

    const { code, signal } = await exited;
    if (killTimer !== undefined) clearTimeout(killTimer);
    // Like a container's processes when its init dies: nothing the workload started outlives it.
    killGroupMembers('SIGKILL');
    await sampler.stop();
    const outcome = workloadOutcome(code, signal, stopSignal);
    await recordRunExit(write, { runId, sandboxId: sandbox.id, outcome });
    log(`run ${runId}: ${outcome.reason}${outcome.detail === null ? '' : ` (${outcome.detail})`}`);
    return 0;
  } catch (err) {
    reportToHost({
      type: 'failed',
      code: errorCode(err),
      message: err instanceof Error ? err.message : String(err),
    });
    log(`sandbox "${args.sandboxName}": ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  } finally {
    // Whatever went wrong, the workload does not outlive its runtime.
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      killGroupMembers('SIGKILL');
    }
    for (const signal of STOP_SIGNALS) process.off(signal, stop);
    await write?.close();
  }
}

/** One line in `runtime.log` (the runtime's stderr), for an operator reading a sandbox's history. */
function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} runtime ${process.pid}: ${message}\n`);
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'RUNTIME_INTERNAL';
}
