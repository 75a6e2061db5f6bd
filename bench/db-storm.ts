/**
 * The database-bound storm: `npm run bench:db-storm -- [--count 200] [--reps 3] [--samples 10]`.
 *
 * The boot storm is CPU-bound by process start-up; this one takes start-up out. For each repetition and
 * each mode (typed, naive; the order alternates):
 *
 * 0. Once before the repetitions, each mode runs a small storm that is not measured, so the runtime
 *    bundles' code caches are written (see `scripts/code-cache-loader.cjs`).
 * 1. A fresh `MSB_HOME` with the schema, the storm image and N sandboxes inserted as Running (setup).
 * 2. N runtime processes (`db-storm-worker.ts`) are started and open their connections; each waits at a
 *    barrier (`go` on stdin). The machine settles.
 * 3. At once, every runtime does a runtime's database work (boot writes: claim and run row, first
 *    sample; a burst of `--samples` samples; the exit record) while the host inserts and pins N more
 *    sandboxes. Typed: the real runtime functions on `DbWriteConnection`, the host's insert-and-pin
 *    transaction on `DbPools`. Naive: the same statements on raw better-sqlite3 (`db.transaction()`,
 *    blocking `busy_timeout` 5000 ms, no retry), host and runtimes alike.
 * 4. Measured: completed boots per second (boots whose run row and first sample committed, over the
 *    time from the barrier to the last such commit), the time until every write ended, busy errors
 *    and retries, the host's event-loop delay, and the rows found.
 *
 * Results: a table on stdout and `bench/results/db-storm.json` / `.svg` with every repetition.
 *
 * @example
 * ```sh
 * npm run bench:db-storm -- --count 50 --reps 1
 * ```
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { DbPools, dbPathFor, isSqliteBusy } from '../src/db/index.js';
import { upsertOciManifestPin } from '../src/generated/index.js';
import { buildSandboxConfig, insertSandboxRecord } from '../src/host/create-sandbox.js';
import { prepareStormImage } from './boot-storm/drivers.js';
import { openNaiveDatabase } from './boot-storm/open-naive-database.js';
import { NAIVE_SQL } from './boot-storm/storm-settings.js';
import type { DbStormWorkerReport } from './db-storm-worker.js';
import {
  formatSpread,
  rotated,
  type Settled,
  type Spread,
  settleMachine,
  spread,
} from './support/fair-runs.js';
import { wholeNumberFlag } from './support/whole-number-flag.js';
import { writeResults } from './support/write-results.js';

type Mode = 'typed' | 'naive';

// One bundle per mode, identical but for its name, so each mode has a code cache of its own.
const workerOf = (mode: Mode): string =>
  fileURLToPath(new URL(`../dist/bench/db-storm-worker-${mode}.cjs`, import.meta.url));
const WARM_UP_COUNT = 4;

const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv,
  options: { count: { type: 'string' }, reps: { type: 'string' }, samples: { type: 'string' } },
  strict: true,
});
const count = wholeNumberFlag('bench:db-storm', values.count, '--count', { fallback: 200, min: 1 });
const reps = wholeNumberFlag('bench:db-storm', values.reps, '--reps', { fallback: 3, min: 1 });
const samples = wholeNumberFlag('bench:db-storm', values.samples, '--samples', { fallback: 10, min: 0 });
const missing = (['typed', 'naive'] as const).map(workerOf).find((file) => !existsSync(file));
if (missing !== undefined) {
  process.stderr.write(`bench:db-storm: ${missing} does not exist (npm run bench:db-storm builds it)\n`);
  process.exit(1);
}

interface RunResult {
  readonly mode: Mode;
  readonly rep: number;
  readonly settled: Settled;
  readonly completedBoots: number;
  readonly bootsPerSecond: number;
  /** From the barrier to the last runtime boot commit. */
  readonly bootPhaseMs: number;
  /** From the barrier until every runtime and the host had finished writing. */
  readonly allWritesMs: number;
  readonly hostInsertsMs: number;
  readonly hostInsertsDone: number;
  readonly busyErrors: { readonly host: number; readonly runtimes: number };
  readonly busyRetries: { readonly host: number; readonly runtimes: number };
  readonly hostEventLoopDelayMs: { readonly p99: number; readonly max: number };
  /** CPU the runtimes spent from the barrier to their last write, summed. */
  readonly runtimesCpuMs: number;
  readonly rows: {
    readonly runs: number;
    readonly runsEnded: number;
    readonly metrics: number;
    readonly hostSandboxes: number;
  };
  readonly expectedMetrics: number;
  readonly errors: readonly string[];
}

// Each mode once, unmeasured, before the repetitions: a freshly built runtime bundle has no code cache
// yet, and the first runtime of it to finish writes one (scripts/code-cache-loader.cjs), as the first
// runtime after an install does.
for (const mode of ['typed', 'naive'] as const) {
  process.stderr.write(`bench:db-storm: warm-up ${mode} (${WARM_UP_COUNT} runtimes, not measured)\n`);
  await runOnce(mode, 0, WARM_UP_COUNT);
}
const runs: RunResult[] = [];
for (let rep = 0; rep < reps; rep++) {
  for (const mode of rotated<Mode>(['typed', 'naive'], rep)) {
    process.stderr.write(`bench:db-storm: N=${count} rep ${rep + 1}/${reps} ${mode}\n`);
    const result = await runOnce(mode, rep + 1, count);
    process.stderr.write(
      `  ${result.completedBoots}/${count} boots in ${result.bootPhaseMs} ms (${result.bootsPerSecond}/s), ` +
        `all writes ${result.allWritesMs} ms, busy errors ${result.busyErrors.host}+${result.busyErrors.runtimes}\n`,
    );
    runs.push(result);
  }
}

const byMode = (mode: Mode) => runs.filter((r) => r.mode === mode);
const over = (mode: Mode, pick: (r: RunResult) => number): Spread => spread(byMode(mode).map(pick));
const paired = (pick: (r: RunResult) => number, higherIsBetter: boolean): Spread => {
  const ratios: number[] = [];
  for (let rep = 1; rep <= reps; rep++) {
    const t = runs.find((r) => r.rep === rep && r.mode === 'typed');
    const n = runs.find((r) => r.rep === rep && r.mode === 'naive');
    if (t !== undefined && n !== undefined) {
      ratios.push(higherIsBetter ? pick(t) / pick(n) : pick(n) / pick(t));
    }
  }
  return spread(ratios);
};
const summary = {
  count,
  reps,
  samples,
  modes: Object.fromEntries(
    (['typed', 'naive'] as const).map((mode) => [
      mode,
      {
        bootsPerSecond: over(mode, (r) => r.bootsPerSecond),
        completedBoots: over(mode, (r) => r.completedBoots),
        allWritesMs: over(mode, (r) => r.allWritesMs),
        hostInsertsMs: over(mode, (r) => r.hostInsertsMs),
        hostEventLoopDelayP99Ms: over(mode, (r) => r.hostEventLoopDelayMs.p99),
        hostEventLoopDelayMaxMs: over(mode, (r) => r.hostEventLoopDelayMs.max),
        busyErrors: byMode(mode).reduce((n, r) => n + r.busyErrors.host + r.busyErrors.runtimes, 0),
        busyRetries: over(mode, (r) => r.busyRetries.host + r.busyRetries.runtimes),
        runtimesCpuMs: over(mode, (r) => r.runtimesCpuMs),
      },
    ]),
  ),
  ratios: {
    typedOverNaiveBootsPerSecond: paired((r) => r.bootsPerSecond, true),
    typedOverNaiveAllWrites: paired((r) => r.allWritesMs, false),
  },
};

const command = `npm run bench:db-storm${argv.length === 0 ? '' : ` -- ${argv.join(' ')}`}`;
const rows: [string, (m: (typeof summary.modes)[string]) => string][] = [
  ['completed boots/s', (m) => formatSpread(m.bootsPerSecond)],
  [`completed boots (of ${count})`, (m) => formatSpread(m.completedBoots)],
  ['every write done, ms', (m) => formatSpread(m.allWritesMs)],
  ['host inserts + pins done, ms', (m) => formatSpread(m.hostInsertsMs)],
  ['host event-loop delay p99 ms', (m) => formatSpread(m.hostEventLoopDelayP99Ms)],
  ['host event-loop delay max ms', (m) => formatSpread(m.hostEventLoopDelayMaxMs)],
  ['busy errors surfaced (all reps)', (m) => String(m.busyErrors)],
  ['busy retries (host + runtimes)', (m) => formatSpread(m.busyRetries)],
  ['runtimes CPU after the barrier, ms', (m) => formatSpread(m.runtimesCpuMs)],
];
const header = [`N = ${count}, ${samples} samples each: median [min–max]`, 'typed', 'naive'];
const body = rows.map(([label, cell]) => [label, cell(summary.modes.typed!), cell(summary.modes.naive!)]);
const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i]!.length)));
const format = (row: readonly string[]) =>
  row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
process.stdout.write(
  `\n${command}\n\n${[format(header), ...body.map(format)].join('\n')}\n` +
    `typed/naive completed boots/s: ${formatSpread(summary.ratios.typedOverNaiveBootsPerSecond)}; ` +
    `naive/typed time until every write: ${formatSpread(summary.ratios.typedOverNaiveAllWrites)}\n`,
);
for (const r of runs) {
  for (const e of r.errors) process.stdout.write(`rep ${r.rep} ${r.mode}: ${e}\n`);
}
const written = writeResults('db-storm', command, { summary, runs }, [
  {
    title: `completed boots/s, N = ${count}, median`,
    unit: '/s',
    bars: (['typed', 'naive'] as const).map((m) => ({
      label: m,
      value: summary.modes[m]!.bootsPerSecond.median,
    })),
  },
  {
    title: 'every write done, median',
    unit: 'ms',
    bars: (['typed', 'naive'] as const).map((m) => ({
      label: m,
      value: summary.modes[m]!.allWritesMs.median,
    })),
  },
]);
process.stdout.write(`\nwrote ${written.json} and ${written.svg}\n`);
process.exit(runs.every((r) => r.completedBoots > 0) ? 0 : 1);

async function runOnce(mode: Mode, rep: number, count: number): Promise<RunResult> {
  const home = mkdtempSync(join(tmpdir(), `msb-db-storm-${mode}-`));
  const dbPath = dbPathFor(home);
  const workers: ChildProcess[] = [];
  try {
    const setup = await DbPools.open(dbPath);
    const digest = await prepareStormImage(setup.write, home);
    const ids: number[] = [];
    for (let i = 1; i <= count; i++) {
      const name = `rt-${i}`;
      const record = await insertSandboxRecord(setup.write, {
        name,
        config: buildSandboxConfig({ name, command: 'true' }),
      });
      ids.push(record.id);
    }
    await setup.close();

    const reports: Promise<DbStormWorkerReport>[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const args = ['--mode', mode, '--db', dbPath, '--home', home, '--sandbox', `rt-${i + 1}`];
      args.push('--id', String(ids[i]), '--samples', String(samples));
      const child = spawn(process.execPath, [workerOf(mode), ...args], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      workers.push(child);
      const lines = createInterface({ input: child.stdout! });
      let last = '';
      ready.push(
        new Promise<void>((resolve, reject) => {
          lines.on('line', (line) => {
            if (line === 'ready') resolve();
            last = line;
          });
          child.once('exit', (code) => reject(new Error(`worker ${i + 1} exited with ${code} before ready`)));
        }),
      );
      reports.push(
        new Promise((resolve, reject) =>
          child.once('close', (code) =>
            code === 0
              ? resolve(JSON.parse(last) as DbStormWorkerReport)
              : reject(new Error(`worker exited ${code}`)),
          ),
        ),
      );
      // Start-up is not what this storm measures: a few at a time, so the machine is not swamped.
      if (i % 8 === 7) await Promise.all(ready.slice(-8));
    }
    await Promise.all(ready);
    const settled = await settleMachine();

    const host = mode === 'typed' ? await DbPools.open(dbPath) : undefined;
    const naive = mode === 'naive' ? openNaiveHost(dbPath) : undefined;
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    while (loop.count === 0) await sleep(2);

    const goAt = Date.now();
    for (const w of workers) w.stdin!.write('go\n');
    let hostBusy = 0;
    let hostInsertsDone = 0;
    const errors: string[] = [];
    const hostInserts = Array.from({ length: count }, async (_, i) => {
      const name = `host-${i + 1}`;
      const config = buildSandboxConfig({ name, command: 'true' });
      try {
        if (host !== undefined) {
          // The host's real create path: insert and pin in one transaction.
          await host.write.transaction((tx) => {
            const record = insertSandboxRecord(tx, { name, config });
            upsertOciManifestPin(tx, { sandboxId: record.id, digest });
          });
        } else {
          // The naive port's create: two transactions, each blocking the event loop while it waits.
          const row = naive!.db.transaction(
            () => naive!.sql.insertSandbox.get({ name, config: JSON.stringify(config) }) as { id: number },
          )();
          naive!.db.transaction(() => naive!.sql.upsertOciManifestPin.get({ sandbox_id: row.id, digest }))();
        }
        hostInsertsDone++;
      } catch (err) {
        if (isSqliteBusy(err) || String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY'))
          hostBusy++;
        if (errors.length < 5) errors.push(`host: ${(err as Error).message}`);
      }
    });
    await Promise.all(hostInserts);
    const hostInsertsMs = Date.now() - goAt;
    const done = await Promise.all(reports);
    loop.disable();
    const hostRetries = host?.write.stats.busyRetries ?? 0;
    await host?.close();
    naive?.db.close();

    const bootDone = done.map((r) => r.bootDoneAt).filter((t): t is number => t !== null);
    const bootPhaseMs = bootDone.length === 0 ? Number.NaN : Math.max(...bootDone) - goAt;
    const allWritesMs = Math.max(hostInsertsMs, ...done.map((r) => r.doneAt - goAt));
    for (const r of done) if (r.error !== null && errors.length < 10) errors.push(r.error);
    return {
      mode,
      rep,
      settled,
      completedBoots: bootDone.length,
      bootsPerSecond: round(bootDone.length / (bootPhaseMs / 1000)),
      bootPhaseMs,
      allWritesMs,
      hostInsertsMs,
      hostInsertsDone,
      busyErrors: { host: hostBusy, runtimes: done.reduce((n, r) => n + r.busyErrors, 0) },
      busyRetries: { host: hostRetries, runtimes: done.reduce((n, r) => n + r.busyRetries, 0) },
      hostEventLoopDelayMs: { p99: round(loop.percentile(99) / 1e6), max: round(loop.max / 1e6) },
      runtimesCpuMs: round(done.reduce((n, r) => n + r.cpuMs, 0)),
      rows: countRows(dbPath),
      expectedMetrics: count * (samples + 1),
      errors,
    };
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
}

function openNaiveHost(path: string) {
  const db = openNaiveDatabase(path);
  const sql = {
    insertSandbox: db.prepare(NAIVE_SQL.insertSandbox),
    upsertOciManifestPin: db.prepare(NAIVE_SQL.upsertOciManifestPin),
  };
  return { db, sql };
}

function countRows(path: string): RunResult['rows'] {
  const db = new Database(path, { readonly: true });
  try {
    const n = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      runs: n('SELECT count(*) FROM run'),
      runsEnded: n("SELECT count(*) FROM run WHERE status = 'Terminated'"),
      metrics: n('SELECT count(*) FROM sandbox_metric'),
      hostSandboxes: n("SELECT count(*) FROM sandbox WHERE name LIKE 'host-%'"),
    };
  } finally {
    db.close();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
