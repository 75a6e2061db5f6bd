import type { ChildProcess } from 'node:child_process';
import { DbBusyError, type DbWriteConnection, makePrivateDir } from '../db/index.js';
import { selectRunStillWanted } from '../generated/index.js';
import { RuntimeError } from '../sandbox/errors.js';
import { sandboxDir } from '../sandbox/paths.js';
import { parseSandboxConfig } from '../sandbox/sandbox-config.js';
import { saveCodeCache } from '../sandbox/save-code-cache.js';
import { claimRun } from './claim-run.js';
import { connectDb } from './connect-db.js';
import { killGroupMembers } from './kill-group-members.js';
import { markRunFailed } from './mark-run-failed.js';
import type { RuntimeArgs } from './parse-runtime-args.js';
import { recordRunExit } from './record-run-exit.js';
import { reportToHost } from './report-to-host.js';
import { runMetricsSampler } from './run-metrics-sampler.js';
import { workloadOutcome } from './run-outcome.js';
import { runtimeLog } from './runtime-log.js';
import { spawnWorkload } from './spawn-workload.js';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
const DEFAULT_STOP_GRACE_MS = 10_000;

/**
 * The whole life of a runtime process; resolves with its exit code once the workload's end is recorded.
 * - The workload starts only after `claimRun`, and not at all if a stop signal came first.
 * - `ready` is reported only once the first sample is stored; failing that fails the start.
 * - The workload never outlives the runtime: stop signals are forwarded, SIGKILL follows the grace
 *   period, and whatever it left in the process group is killed when it exits.
 * - A sample that finds the run written off by the host stops the workload like a signal.
 * - A run never stays Running after its runtime gave up: it ends as InternalError.
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
  // Whatever went wrong, the workload does not outlive its runtime (nor its end go unrecorded first).
  const killWorkload = (): void => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      killGroupMembers('SIGKILL');
    }
  };

  let write: DbWriteConnection | undefined;
  let run: { readonly id: number; readonly sandboxId: number } | undefined;
  try {
    write = await connectDb(args.dbPath, {
      home: args.home,
      ...(args.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: args.connectTimeoutMs }),
    });
    const db = write;
    const { runId, sandbox } = await claimRun(db, {
      id: args.sandboxId,
      name: args.sandboxName,
      pid: process.pid,
    });
    run = { id: runId, sandboxId: sandbox.id };
    const fail = async (err: unknown, context: string): Promise<number> => {
      const detail = `${context}${err instanceof Error ? err.message : String(err)}`;
      await markRunFailed(db, { runId, sandboxId: sandbox.id, detail });
      log(`run ${runId}: Failed (${detail})`);
      reportToHost({ type: 'failed', code: errorCode(err), message: detail });
      return 1;
    };

    let config: ReturnType<typeof parseSandboxConfig>;
    let dir: string;
    try {
      config = parseSandboxConfig(
        sandbox.name,
        sandbox.configJson,
        (m) => new RuntimeError('SANDBOX_CONFIG_INVALID', m),
      );
      dir = sandboxDir(args.home, sandbox.name);
      makePrivateDir(dir);
      if (stopSignal !== null)
        throw new Error(`runtime stopped by ${stopSignal} before the workload started`);
      child = await spawnWorkload(sandbox.name, config, dir);
    } catch (err) {
      return await fail(err, '');
    }

    const workload = child;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      workload.once('exit', (code, signal) => resolve({ code, signal }));
    });
    // After the start, an 'error' only reports a failed kill() of a workload that is already gone.
    workload.on('error', (err) => log(`workload of "${sandbox.name}": ${err.message}`));
    if (stopSignal !== null) stop(stopSignal);

    let writtenOff: string | null = null;
    const onRunEnded = (): void => {
      // A stop or replace that raced this start wrote the run off without a signal: follow the record.
      writtenOff = `the host recorded sandbox "${sandbox.name}" as not running`;
      log(`run ${runId}: ${writtenOff}; stopping the workload`);
      stop('SIGTERM');
    };
    // Metrics off: no sampler, so `ready` follows the spawn and no metric row is ever written; a slow
    // watch keeps the sampler's other duty, noticing a run the host wrote off.
    const sampler =
      config.metricsIntervalMs === null
        ? undefined
        : runMetricsSampler(db, {
            runId,
            pid: workload.pid!,
            intervalMs: config.metricsIntervalMs,
            onRunEnded,
          });
    const watch = sampler === undefined ? watchRun(db, runId, onRunEnded) : undefined;
    try {
      await sampler?.firstSample;
    } catch (err) {
      // `ready` promises a stored first metric: a runtime that cannot store one does not run.
      await sampler?.stop();
      killWorkload();
      await exited;
      return await fail(err, `first metric sample of workload pid ${workload.pid} could not be stored: `);
    }
    reportToHost({
      type: 'ready',
      runId,
      runtimePid: process.pid,
      workloadPid: workload.pid!,
      busyRetries: db.stats.busyRetries,
    });
    saveCodeCache();

    log(`run ${runId}: workload pid ${workload.pid} started (${config.command})`);

    const { code, signal } = await exited;
    if (watch !== undefined) clearInterval(watch);
    if (killTimer !== undefined) clearTimeout(killTimer);
    killGroupMembers('SIGKILL');
    await sampler?.stop();
    const base = workloadOutcome(code, signal, writtenOff === null ? stopSignal : null);
    const outcome =
      writtenOff === null
        ? base
        : { ...base, detail: `${base.detail ?? `workload exited ${code}`} after ${writtenOff}` };
    await recordUntilDone(() => recordRunExit(db, { runId, sandboxId: sandbox.id, outcome }), runId);
    log(`run ${runId}: ${outcome.reason}${outcome.detail === null ? '' : ` (${outcome.detail})`}`);
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    killWorkload();
    if (write !== undefined && run !== undefined) await endRunAfterFailure(write, run, message);
    reportToHost({ type: 'failed', code: errorCode(err), message });
    log(`sandbox "${args.sandboxName}": ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  } finally {
    killWorkload();
    for (const signal of STOP_SIGNALS) process.off(signal, stop);
    await write?.close();
  }
}

const WATCH_MS = 2_000;

/** Every WATCH_MS, whether the host still counts on the run; calls `onRunEnded` once if not. */
function watchRun(write: DbWriteConnection, runId: number, onRunEnded: () => void): NodeJS.Timeout {
  let ended = false;
  const timer = setInterval(() => {
    write
      .transaction((tx) => selectRunStillWanted(tx, { runId }) !== undefined)
      .then(
        (wanted) => {
          if (wanted || ended) return;
          ended = true;
          clearInterval(timer);
          onRunEnded();
        },
        (err: unknown) => log(`run ${runId}: watch: ${err instanceof Error ? err.message : String(err)}`),
      );
  }, WATCH_MS);
  timer.unref();
  return timer;
}

/**
 * Records the workload's exit, which only this process knows: on a database that stays busy past the
 * budget (a lock held by someone else) it keeps trying instead of losing it. A stop waits for this.
 */
async function recordUntilDone(record: () => Promise<unknown>, runId: number): Promise<void> {
  for (;;) {
    try {
      await record();
      return;
    } catch (err) {
      if (!(err instanceof DbBusyError)) throw err;
      log(`run ${runId}: database busy for ${Math.round(err.elapsedMs)} ms; still recording the exit`);
    }
  }
}

/** Ends the run as InternalError; a failure is only logged: reconcile ends it once this pid is dead. */
async function endRunAfterFailure(
  write: DbWriteConnection,
  run: { readonly id: number; readonly sandboxId: number },
  message: string,
): Promise<void> {
  try {
    await recordRunExit(write, {
      runId: run.id,
      sandboxId: run.sandboxId,
      outcome: {
        reason: 'InternalError',
        exitCode: null,
        exitSignal: null,
        detail: `runtime failed: ${message}`,
      },
    });
  } catch (err) {
    log(`run ${run.id}: could not record its end: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const log = runtimeLog;

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'RUNTIME_INTERNAL';
}
