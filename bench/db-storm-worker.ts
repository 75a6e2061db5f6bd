/**
 * One runtime of the database-bound storm (`bench/db-storm.ts`), bundled to `dist/bench/db-storm-worker-<mode>.cjs`:
 * `node dist/bench/db-storm-worker-<mode>.cjs --mode typed|naive --db <path> --home <dir> --sandbox <name>
 * --id <sandbox id> --samples <n>`.
 *
 * It opens its connection, prints `ready`, and waits for `go` on stdin (the barrier); then it does a
 * runtime's database work and nothing else (no workload, no /proc): its boot writes (claim the sandbox
 * and insert its run, store the first sample), a burst of `--samples` samples, and the exit record.
 * `typed` runs the real runtime functions (`connectDb`, `claimRun`, `persistSample`, `recordRunExit`)
 * on a `DbWriteConnection`; `naive` runs the naive port's statements (the boot storm's naive runtime)
 * on raw better-sqlite3 with `db.transaction()` and a blocking `busy_timeout` of 5000 ms, no retry.
 * It ends by printing one JSON {@link DbStormWorkerReport} line.
 *
 * @example
 * ```sh
 * echo go | node dist/bench/db-storm-worker-typed.cjs --mode typed --db "$H/db/msb.db" --home "$H" --sandbox rt-1 --id 1 --samples 10
 * ```
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type Database from 'better-sqlite3';
import { DbBusyError, type DbWriteConnection } from '../src/db/index.js';
import { claimRun } from '../src/runtime/claim-run.js';
import { connectDb } from '../src/runtime/connect-db.js';
import { persistSample } from '../src/runtime/persist-sample.js';
import { recordRunExit } from '../src/runtime/record-run-exit.js';
import { saveCodeCache } from '../src/sandbox/save-code-cache.js';
import { openNaiveDatabase } from './boot-storm/open-naive-database.js';
import { NAIVE_SQL } from './boot-storm/storm-settings.js';

/**
 * What a worker did, printed as its last stdout line (times are `Date.now()` milliseconds).
 *
 * @example
 * ```ts
 * const r: DbStormWorkerReport = { bootDoneAt: 1, doneAt: 2, samplesStored: 10, exitRecorded: true, busyErrors: 0, busyRetries: 3, error: null, cpuMs: 4, processCpuMs: 90 };
 * ```
 */
export interface DbStormWorkerReport {
  /** When the run row and the first sample were committed; null if the boot failed. */
  readonly bootDoneAt: number | null;
  /** When the worker's last write ended (committed or failed). */
  readonly doneAt: number;
  /** Samples committed, the first one included. */
  readonly samplesStored: number;
  readonly exitRecorded: boolean;
  /** Busy errors that reached the worker's code (naive: SQLITE_BUSY; typed: DbBusyError). */
  readonly busyErrors: number;
  /** Busy retries of the typed writer (the naive port never retries). */
  readonly busyRetries: number;
  /** The first error that ended the worker's work early. */
  readonly error: string | null;
  /** CPU the process spent from the barrier to its last write. */
  readonly cpuMs: number;
  /** CPU the process spent from its start to its report (`bench:runtime-start`). */
  readonly processCpuMs: number;
}

/** What the writes came to; the process's CPU is added as the report is printed. */
type WorkReport = Omit<DbStormWorkerReport, 'processCpuMs'>;

const SAMPLE = {
  cpuPercent: 1.5,
  memoryBytes: 4_194_304,
  diskReadBytes: 0,
  diskWriteBytes: 4096,
  netRxBytes: 0,
  netTxBytes: 0,
};

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    db: { type: 'string' },
    home: { type: 'string' },
    sandbox: { type: 'string' },
    id: { type: 'string' },
    samples: { type: 'string' },
  },
  strict: true,
});
const { mode, db: dbPath, home, sandbox: name } = values;
const id = Number(values.id);
const samples = Number(values.samples ?? '10');
if (
  (mode !== 'typed' && mode !== 'naive') ||
  dbPath === undefined ||
  home === undefined ||
  name === undefined ||
  !Number.isSafeInteger(id)
) {
  process.stderr.write('db-storm-worker: --mode typed|naive --db --home --sandbox --id are required\n');
  process.exit(2);
}

const lines = createInterface({ input: process.stdin });
let cpuAtGo: NodeJS.CpuUsage | undefined;
const go = new Promise<void>((resolve) =>
  lines.on('line', (line) => {
    if (line !== 'go') return;
    cpuAtGo = process.cpuUsage();
    resolve();
  }),
);
/** CPU this process spent since the barrier, in ms. */
const cpuSinceGo = (): number => {
  const used = process.cpuUsage(cpuAtGo);
  return (used.user + used.system) / 1000;
};
// A function, not top-level await: the worker ships as a CommonJS bundle, as the runtime does.
async function main(): Promise<never> {
  const report =
    mode === 'typed'
      ? await runTyped(await connectDb(dbPath!, { home: home! }))
      : await runNaive(openNaiveDatabase(dbPath!));
  const used = process.cpuUsage();
  const processCpuMs = (used.user + used.system) / 1000;
  process.stdout.write(`${JSON.stringify({ ...report, processCpuMs })}\n`);
  // Every write has run, the exit record included: its code is what every later worker compiles.
  if (report.error === null) saveCodeCache();
  process.exit(0);
}
// Not 0 if main never settles (its event loop drained), as top-level await would not be.
process.exitCode = 1;
void main();

async function runTyped(write: DbWriteConnection): Promise<WorkReport> {
  process.stdout.write('ready\n');
  await go;
  let bootDoneAt: number | null = null;
  let samplesStored = 0;
  let exitRecorded = false;
  let error: string | null = null;
  let busyErrors = 0;
  try {
    const { runId } = await claimRun(write, { id, name: name!, pid: process.pid });
    const run = { sandboxId: id, runId };
    if (await persistSample(write, run, SAMPLE)) samplesStored++;
    bootDoneAt = Date.now();
    for (let i = 0; i < samples; i++) if (await persistSample(write, run, SAMPLE)) samplesStored++;
    await recordRunExit(write, {
      runId,
      sandboxId: id,
      outcome: { reason: 'Completed', exitCode: 0, exitSignal: null, detail: null },
    });
    exitRecorded = true;
  } catch (err) {
    if (err instanceof DbBusyError) busyErrors++;
    error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  const doneAt = Date.now();
  const cpuMs = cpuSinceGo();
  const { busyRetries } = write.stats;
  await write.close();
  return { bootDoneAt, doneAt, samplesStored, exitRecorded, busyErrors, busyRetries, error, cpuMs };
}

async function runNaive(db: Database.Database): Promise<WorkReport> {
  process.stdout.write('ready\n');
  await go;
  // Statements are prepared after the barrier, as the boot storm's naive runtime prepares them during
  // its boot (and as the typed side's statement cache does on first use).
  const sql = {
    selectRuntimeSandbox: db.prepare(NAIVE_SQL.selectRuntimeSandbox),
    insertRuntimeRun: db.prepare(NAIVE_SQL.insertRuntimeRun),
    markRuntimeSandboxRunning: db.prepare(NAIVE_SQL.markRuntimeSandboxRunning),
    insertRuntimeMetric: db.prepare(NAIVE_SQL.insertRuntimeMetric),
    finishRuntimeRun: db.prepare(NAIVE_SQL.finishRuntimeRun),
    markRuntimeSandboxStopped: db.prepare(NAIVE_SQL.markRuntimeSandboxStopped),
  };
  let bootDoneAt: number | null = null;
  let samplesStored = 0;
  let exitRecorded = false;
  let error: string | null = null;
  let busyErrors = 0;
  const metric = {
    run_id: 0,
    cpu_percent: SAMPLE.cpuPercent,
    memory_bytes: SAMPLE.memoryBytes,
    disk_read_bytes: SAMPLE.diskReadBytes,
    disk_write_bytes: SAMPLE.diskWriteBytes,
    net_rx_bytes: SAMPLE.netRxBytes,
    net_tx_bytes: SAMPLE.netTxBytes,
  };
  try {
    const sandbox = db.transaction(
      () => sql.selectRuntimeSandbox.get({ name }) as { id: number } | undefined,
    )();
    if (sandbox === undefined) throw new Error(`sandbox "${name}" does not exist`);
    const runId = db.transaction(() => {
      const inserted = Number(sql.insertRuntimeRun.run({ sandbox_id: id, pid: process.pid }).lastInsertRowid);
      sql.markRuntimeSandboxRunning.run({ id });
      return inserted;
    })();
    metric.run_id = runId;
    samplesStored += db.transaction(() => sql.insertRuntimeMetric.run(metric))().changes;
    bootDoneAt = Date.now();
    for (let i = 0; i < samples; i++) {
      samplesStored += db.transaction(() => sql.insertRuntimeMetric.run(metric))().changes;
    }
    db.transaction(() => {
      sql.finishRuntimeRun.run({
        id: runId,
        termination_reason: 'Completed',
        termination_detail: null,
        exit_code: 0,
        exit_signal: null,
      });
      sql.markRuntimeSandboxStopped.run({ id, run_id: runId });
    })();
    exitRecorded = true;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) busyErrors++;
    error = err instanceof Error ? `${String(code ?? err.name)}: ${err.message}` : String(err);
  }
  const doneAt = Date.now();
  const cpuMs = cpuSinceGo();
  db.close();
  return { bootDoneAt, doneAt, samplesStored, exitRecorded, busyErrors, busyRetries: 0, error, cpuMs };
}
