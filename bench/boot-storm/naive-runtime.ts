/**
 * The naive port of the runtime (bench only): `node dist/bench/naive-runtime.cjs --db
 * <path> --sandbox <name>`, started by the naive bench host like `startRuntime` starts the real one
 * (detached, fd 3 a pipe for the report, stderr to `runtime.log`).
 *
 * It does the real runtime's work with the real runtime's SQL, but the way a straight port would:
 * raw better-sqlite3, `db.transaction(fn)` (a deferred `BEGIN`), a blocking `busy_timeout` of 5000 ms
 * and no retry. A `SQLITE_BUSY` is not retried: before the ready report it fails the start (a `failed`
 * report with code `SQLITE_BUSY…`); after it, the sample or the exit record is lost, counted in
 * `naive-runtime-stats.json` and turned into exit code {@link NAIVE_BUSY_EXIT_CODE}.
 *
 * @example
 * ```sh
 * node dist/bench/naive-runtime.cjs --db "$MSB_HOME/db/msb.db" --sandbox storm-1 3>&1
 * ```
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type Database from 'better-sqlite3';
import { monotonicMs } from '../../src/db/monotonic-ms.js';
import { killGroupMembers } from '../../src/runtime/kill-group-members.js';
import { CLOCK_TICKS_PER_SECOND, readProcStats } from '../../src/runtime/read-proc-stats.js';
import { reportToHost } from '../../src/runtime/report-to-host.js';
import { spawnWorkload } from '../../src/runtime/spawn-workload.js';
import { RuntimeError } from '../../src/sandbox/errors.js';
import { sandboxDir as sandboxDirOf } from '../../src/sandbox/paths.js';
import { parseSandboxConfig } from '../../src/sandbox/sandbox-config.js';
import { saveCodeCache } from '../../src/sandbox/save-code-cache.js';
import { openNaiveDatabase } from './open-naive-database.js';
import {
  NAIVE_BUSY_EXIT_CODE,
  NAIVE_SQL,
  NAIVE_STATS_FILE,
  type NaiveRuntimeStats,
} from './storm-settings.js';

const MAX_ERRORS_KEPT = 5;

const { values } = parseArgs({
  options: { db: { type: 'string' }, sandbox: { type: 'string' } },
  strict: true,
});
if (values.db === undefined || values.sandbox === undefined) {
  process.stderr.write('naive-runtime: --db <path> and --sandbox <name> are required\n');
  process.exit(2);
}
const dbPath = values.db;
const sandboxName = values.sandbox;
// The naive port derives its msb home from `<home>/db/msb.db`, as the code it stands for did.
const sandboxDir = sandboxDirOf(dirname(dirname(dbPath)), sandboxName);

const stats = { busyErrors: 0, samplesStored: 0, samplesFailed: 0, exitRecorded: false };
const errors: string[] = [];
let stopSignal: NodeJS.Signals | null = null;
let child: ChildProcess | undefined;

const note = (err: unknown): void => {
  if (isBusy(err)) stats.busyErrors++;
  const message = err instanceof Error ? `${codeOf(err) ?? err.name}: ${err.message}` : String(err);
  if (errors.length < MAX_ERRORS_KEPT && !errors.includes(message)) errors.push(message);
  process.stderr.write(`${new Date().toISOString()} naive runtime ${process.pid}: ${message}\n`);
};

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(signal, () => {
    stopSignal ??= signal;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

// A function, not top-level await: the bench runtimes ship as CommonJS bundles, as the real one does.
async function main(): Promise<never> {
  let exitCode = 0;
  let db: Database.Database | undefined;
  try {
    db = openNaiveDatabase(dbPath);
    const conn = db;
    const sandbox = conn.transaction(
      () =>
        conn.prepare(NAIVE_SQL.selectRuntimeSandbox).get({ name: sandboxName }) as
          | { id: number; name: string; config: string }
          | undefined,
    )();
    if (sandbox === undefined) throw new Error(`sandbox "${sandboxName}" does not exist in ${dbPath}`);
    const runId = conn.transaction(() => {
      const id = conn
        .prepare(NAIVE_SQL.insertRuntimeRun)
        .run({ sandbox_id: sandbox.id, pid: process.pid }).lastInsertRowid;
      conn.prepare(NAIVE_SQL.markRuntimeSandboxRunning).run({ id: sandbox.id });
      return Number(id);
    })();

    const config = parseSandboxConfig(
      sandbox.name,
      sandbox.config,
      (m) => new RuntimeError('SANDBOX_CONFIG_INVALID', m),
    );
    mkdirSync(sandboxDir, { recursive: true });
    if (stopSignal !== null) throw new Error(`runtime stopped by ${stopSignal} before the workload started`);
    const workload = await spawnWorkload(sandbox.name, config, sandboxDir);
    child = workload;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      workload.once('exit', (code, signal) => resolve({ code, signal }));
    });
    if (stopSignal !== null) workload.kill(stopSignal);

    const insertMetric = conn.prepare(NAIVE_SQL.insertRuntimeMetric);
    let previous: { cpuTicks: number; at: number } | undefined;
    const sampleOnce = async (): Promise<void> => {
      const at = monotonicMs();
      const proc = readProcStats(workload.pid!);
      if (proc === undefined) return;
      const cpuSeconds = (proc.cpuTicks - (previous?.cpuTicks ?? 0)) / CLOCK_TICKS_PER_SECOND;
      const wallSeconds = previous === undefined ? proc.ageSeconds : (at - previous.at) / 1000;
      previous = { cpuTicks: proc.cpuTicks, at };
      try {
        const { changes } = conn.transaction(() =>
          insertMetric.run({
            run_id: runId,
            cpu_percent: wallSeconds > 0 ? Math.round((cpuSeconds / wallSeconds) * 10_000) / 100 : 0,
            memory_bytes: proc.rssBytes,
            disk_read_bytes: proc.readBytes,
            disk_write_bytes: proc.writeBytes,
            net_rx_bytes: proc.netRxBytes,
            net_tx_bytes: proc.netTxBytes,
          }),
        )();
        if (changes > 0) stats.samplesStored++;
      } catch (err) {
        stats.samplesFailed++;
        note(err);
      }
    };

    await sampleOnce();
    reportToHost({
      type: 'ready',
      runId,
      runtimePid: process.pid,
      workloadPid: workload.pid!,
      busyRetries: 0,
    });
    saveCodeCache();

    let sampling = true;
    let timer: NodeJS.Timeout | undefined;
    let inFlight: Promise<void> = Promise.resolve();
    // The storm always samples; a config with sampling off (null) is honoured all the same.
    const intervalMs = config.metricsIntervalMs;
    const tick = (): void => {
      const started = monotonicMs();
      inFlight = sampleOnce().finally(() => {
        if (sampling && intervalMs !== null)
          timer = setTimeout(tick, Math.max(0, intervalMs - (monotonicMs() - started)));
      });
    };
    if (intervalMs !== null) timer = setTimeout(tick, intervalMs);

    const { code, signal } = await exited;
    sampling = false;
    clearTimeout(timer);
    await inFlight;
    killGroupMembers('SIGKILL');
    try {
      conn.transaction(() => {
        conn.prepare(NAIVE_SQL.finishRuntimeRun).run({
          id: runId,
          termination_reason: signal === null ? (code === 0 ? 'Completed' : 'Failed') : 'Signal',
          termination_detail: `workload ended (${signal ?? `code ${code}`})${stopSignal === null ? '' : ` after ${stopSignal}`}`,
          exit_code: signal === null ? code : null,
          exit_signal: signal,
        });
        conn.prepare(NAIVE_SQL.markRuntimeSandboxStopped).run({ id: sandbox.id, run_id: runId });
      })();
      stats.exitRecorded = true;
    } catch (err) {
      note(err);
    }
    exitCode = stats.busyErrors > 0 ? NAIVE_BUSY_EXIT_CODE : 0;
  } catch (err) {
    note(err);
    reportToHost({
      type: 'failed',
      code: codeOf(err) ?? 'RUNTIME_INTERNAL',
      message: err instanceof Error ? err.message : String(err),
    });
    exitCode = 1;
  } finally {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      killGroupMembers('SIGKILL');
    }
    db?.close();
    const report: NaiveRuntimeStats = { ...stats, errors };
    try {
      writeFileSync(join(sandboxDir, NAIVE_STATS_FILE), `${JSON.stringify(report)}\n`);
    } catch (err) {
      process.stderr.write(`naive runtime ${process.pid}: cannot write its stats: ${String(err)}\n`);
    }
  }
  process.exit(exitCode);
}
// Not 0 if main never settles (its event loop drained), as top-level await would not be.
process.exitCode = 1;
void main();

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isBusy(err: unknown): boolean {
  return codeOf(err)?.startsWith('SQLITE_BUSY') === true;
}
