/**
 * How SQLite's write lock passes between processes: `npm run bench:lock-handoff -- [--count 200]
 * [--reps 3] [--samples 10] [--modes wait,fifo,fifo-lease]`.
 *
 * The database-bound storm (`db-storm.ts`) is bound by the write lock, in both designs. This benchmark
 * times every transaction of such a storm to show where the time goes, and what a different handoff
 * would change. For each repetition and mode (order rotated per repetition), on a settled machine:
 *
 * 1. A fresh database with N sandboxes; N `lock-handoff-worker.ts` processes open their connection,
 *    prepare their statements and wait at a barrier.
 * 2. At once, each writes a runtime's boot (run row, first sample) and `--samples` more samples, each in
 *    its own `BEGIN IMMEDIATE … COMMIT`, waiting for the lock as its mode says (see the worker): `wait`
 *    polls it from SQLite's busy handler (what the typed runtime and the naive port both do), `fifo` and
 *    `fifo-lease` wait for a token from `lock-handoff-server.ts`, granted in arrival order.
 * 3. From the transactions' timestamps (one monotonic clock for all processes): the time until every
 *    boot, and every write, committed; the lock's held time per transaction and summed, from `BEGIN`
 *    returning until `COMMIT` returned but never past the next holder's `BEGIN` (a `COMMIT` releases
 *    the lock before it runs an automatic checkpoint, and a process may be preempted before it reads
 *    the clock; the times cut so are counted); how often the next holder was the same process (a burst
 *    keeping the lock) or another (a handoff), and the median gap of a handoff; the workers' CPU and
 *    their main threads' involuntary context switches (preemptions).
 *
 * Results: a table on stdout and `bench/results/lock-handoff.json` / `.svg` with every repetition.
 * No mode here is the product: `fifo` is an experiment for a handoff that does not poll.
 *
 * @example
 * ```sh
 * npm run bench:lock-handoff -- --count 50 --reps 1
 * ```
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DbPools, dbPathFor } from '../src/db/index.js';
import { buildSandboxConfig, insertSandboxRecord } from '../src/host/create-sandbox.js';
import type { LockHandoffWorkerReport } from './lock-handoff-worker.js';
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

const MODES = ['wait', 'fifo', 'fifo-lease'] as const;
type Mode = (typeof MODES)[number];

const WORKER = fileURLToPath(new URL('../dist/bench/lock-handoff-worker.js', import.meta.url));
const SERVER = fileURLToPath(new URL('../dist/bench/lock-handoff-server.js', import.meta.url));

const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv,
  options: {
    count: { type: 'string' },
    reps: { type: 'string' },
    samples: { type: 'string' },
    modes: { type: 'string' },
  },
  strict: true,
});
const count = wholeNumberFlag('bench:lock-handoff', values.count, '--count', { fallback: 200, min: 1 });
const reps = wholeNumberFlag('bench:lock-handoff', values.reps, '--reps', { fallback: 3, min: 1 });
const samples = wholeNumberFlag('bench:lock-handoff', values.samples, '--samples', { fallback: 10, min: 0 });
const modes = (values.modes ?? MODES.join(',')).split(',') as Mode[];
for (const m of modes) {
  if (!MODES.includes(m)) fatal(`--modes: "${m}" is not one of ${MODES.join(', ')}`, 2);
}
for (const file of [WORKER, SERVER]) {
  if (!existsSync(file)) fatal(`${file} does not exist (npm run bench:lock-handoff builds it)`, 1);
}

interface RunResult {
  readonly mode: Mode;
  readonly rep: number;
  readonly settled: Settled;
  /** From the barrier until the last run row and first sample committed. */
  readonly bootsDoneMs: number;
  readonly bootsPerSecond: number;
  /** From the barrier until the last transaction committed. */
  readonly allDoneMs: number;
  readonly transactions: number;
  readonly lockHeldMs: number;
  readonly heldMedianMs: number;
  readonly heldP99Ms: number;
  /** Share of the held time in the longest 10 % of the holds. */
  readonly heldInLongestTenth: number;
  /** Holds cut at the next holder's `BEGIN` (see the file's doc). */
  readonly holdsCut: number;
  /** The next holder was the same process. */
  readonly retakes: number;
  readonly handoffs: number;
  /** From one holder's COMMIT to another's BEGIN returning. */
  readonly handoffGapMedianMs: number;
  readonly workersCpuMs: number;
  readonly workersPreemptions: number;
}

const runs: RunResult[] = [];
for (let rep = 0; rep < reps; rep++) {
  for (const mode of rotated(modes, rep)) {
    process.stderr.write(`bench:lock-handoff: N=${count} rep ${rep + 1}/${reps} ${mode}\n`);
    const result = await runOnce(mode, rep + 1);
    process.stderr.write(
      `  boots done ${result.bootsDoneMs} ms, all done ${result.allDoneMs} ms, held ${result.lockHeldMs} ms, ` +
        `${result.handoffs} handoffs\n`,
    );
    runs.push(result);
  }
}

const over = (mode: Mode, pick: (r: RunResult) => number): Spread =>
  spread(runs.filter((r) => r.mode === mode).map(pick));
const paired = (mode: Mode, pick: (r: RunResult) => number): Spread => {
  const ratios: number[] = [];
  for (let rep = 1; rep <= reps; rep++) {
    const m = runs.find((r) => r.rep === rep && r.mode === mode);
    const w = runs.find((r) => r.rep === rep && r.mode === 'wait');
    if (m !== undefined && w !== undefined) ratios.push(pick(m) / pick(w));
  }
  return spread(ratios);
};
const rows: [string, (r: RunResult) => number][] = [
  ['boots done, ms', (r) => r.bootsDoneMs],
  ['boots/s', (r) => r.bootsPerSecond],
  ['every write done, ms', (r) => r.allDoneMs],
  ['lock held, ms (sum)', (r) => r.lockHeldMs],
  ['held per transaction, median ms', (r) => r.heldMedianMs],
  ['held per transaction, p99 ms', (r) => r.heldP99Ms],
  ['share of held time in the longest 10 %', (r) => r.heldInLongestTenth],
  ['next holder the same process', (r) => r.retakes],
  ['handoffs to another process', (r) => r.handoffs],
  ['handoff gap, median ms', (r) => r.handoffGapMedianMs],
  ['holds cut at the next BEGIN', (r) => r.holdsCut],
  ['workers CPU after the barrier, ms', (r) => r.workersCpuMs],
  ['workers preempted (involuntary switches)', (r) => r.workersPreemptions],
];
const summary = {
  count,
  reps,
  samples,
  modes: Object.fromEntries(
    modes.map((mode) => [mode, Object.fromEntries(rows.map(([label, pick]) => [label, over(mode, pick)]))]),
  ),
  overWait: Object.fromEntries(
    modes
      .filter((m) => m !== 'wait')
      .map((mode) => [
        mode,
        {
          bootsPerSecond: paired(mode, (r) => r.bootsPerSecond),
          allDoneMs: paired(mode, (r) => r.allDoneMs),
        },
      ]),
  ),
};

const command = `npm run bench:lock-handoff${argv.length === 0 ? '' : ` -- ${argv.join(' ')}`}`;
const header = [`N = ${count}, ${samples + 2} transactions each: median [min–max]`, ...modes];
const body = rows.map(([label]) => [label, ...modes.map((m) => formatSpread(summary.modes[m]![label]!))]);
const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i]!.length)));
const format = (row: readonly string[]) =>
  row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
let text = `\n${command}\n\n${[format(header), ...body.map(format)].join('\n')}\n`;
for (const [mode, ratio] of Object.entries(summary.overWait)) {
  text += `${mode}/wait boots/s: ${formatSpread(ratio.bootsPerSecond)}; every write done: ${formatSpread(ratio.allDoneMs)}\n`;
}
process.stdout.write(text);
const written = writeResults('lock-handoff', command, { summary, runs }, [
  {
    title: `boots done, N = ${count}, median`,
    unit: 'ms',
    bars: modes.map((m) => ({ label: m, value: summary.modes[m]!['boots done, ms']!.median })),
  },
  {
    title: 'every write done, median',
    unit: 'ms',
    bars: modes.map((m) => ({ label: m, value: summary.modes[m]!['every write done, ms']!.median })),
  },
]);
process.stdout.write(`\nwrote ${written.json} and ${written.svg}\n`);
process.exit(0);

async function runOnce(mode: Mode, rep: number): Promise<RunResult> {
  const home = mkdtempSync(join(tmpdir(), `msb-lock-handoff-${mode}-`));
  const dbPath = dbPathFor(home);
  const socket = join(home, 'token.sock');
  const children: ChildProcess[] = [];
  try {
    const setup = await DbPools.open(dbPath);
    const ids: number[] = [];
    for (let i = 1; i <= count; i++) {
      const name = `rt-${i}`;
      ids.push(
        (
          await insertSandboxRecord(setup.write, {
            name,
            config: buildSandboxConfig({ name, command: 'true' }),
          })
        ).id,
      );
    }
    await setup.close();
    if (mode !== 'wait') {
      const server = spawn(process.execPath, [SERVER, socket], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(server);
      await firstLine(server, 'ready');
    }

    const reports: Promise<LockHandoffWorkerReport>[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const args = ['--mode', mode, '--db', dbPath, '--id', String(ids[i]), '--samples', String(samples)];
      if (mode !== 'wait') args.push('--socket', socket);
      const child = spawn(process.execPath, [WORKER, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
      children.push(child);
      const lines: string[] = [];
      createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
      ready.push(firstLine(child, 'ready'));
      reports.push(
        new Promise((resolve, reject) =>
          child.once('close', (code) =>
            code === 0
              ? resolve(JSON.parse(lines.at(-1)!) as LockHandoffWorkerReport)
              : reject(new Error(`worker ${i + 1} exited with ${code}`)),
          ),
        ),
      );
      // Start-up is not what this measures: a few at a time, so the machine is not swamped.
      if (i % 8 === 7) await Promise.all(ready.slice(-8));
    }
    await Promise.all(ready);
    const settled = await settleMachine();

    const goAt = Number(process.hrtime.bigint()) / 1e6;
    for (const child of children.slice(mode === 'wait' ? 0 : 1)) child.stdin!.write('go\n');
    const done = await Promise.all(reports);
    return measure(mode, rep, settled, goAt, done);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
}

function measure(
  mode: Mode,
  rep: number,
  settled: Settled,
  goAt: number,
  done: readonly LockHandoffWorkerReport[],
): RunResult {
  const all = done.flatMap((report, worker) =>
    report.transactions.map(([, acquired, committed]) => ({ worker, acquired, committed })),
  );
  all.sort((a, b) => a.acquired - b.acquired);
  let holdsCut = 0;
  const held = all
    .map((t, i) => {
      const next = all[i + 1]?.acquired ?? Number.POSITIVE_INFINITY;
      if (t.committed > next) holdsCut++;
      return Math.min(t.committed, next) - t.acquired;
    })
    .sort((a, b) => a - b);
  const heldSum = held.reduce((a, b) => a + b, 0);
  const longest = held.slice(Math.floor(held.length * 0.9)).reduce((a, b) => a + b, 0);
  let retakes = 0;
  const gaps: number[] = [];
  for (let i = 1; i < all.length; i++) {
    if (all[i]!.worker === all[i - 1]!.worker) retakes++;
    else gaps.push(Math.max(0, all[i]!.acquired - all[i - 1]!.committed));
  }
  const bootsDone = Math.max(...done.map((r) => r.transactions[1]![2])) - goAt;
  return {
    mode,
    rep,
    settled,
    bootsDoneMs: round(bootsDone),
    bootsPerSecond: round(done.length / (bootsDone / 1000)),
    allDoneMs: round(Math.max(...all.map((t) => t.committed)) - goAt),
    transactions: all.length,
    lockHeldMs: round(heldSum),
    heldMedianMs: round(quantile(held, 0.5), 3),
    heldP99Ms: round(quantile(held, 0.99)),
    heldInLongestTenth: round(longest / heldSum),
    holdsCut,
    retakes,
    handoffs: gaps.length,
    handoffGapMedianMs: round(
      quantile(
        gaps.sort((a, b) => a - b),
        0.5,
      ),
      3,
    ),
    workersCpuMs: round(done.reduce((n, r) => n + r.cpuMs, 0)),
    workersPreemptions: done.reduce((n, r) => n + r.preemptions, 0),
  };
}

function firstLine(child: ChildProcess, expected: string): Promise<void> {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => line === expected && resolve());
    child.once('exit', (code) =>
      reject(new Error(`${child.spawnargs[1]} exited with ${code} before "${expected}"`)),
    );
  });
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function fatal(message: string, code: number): never {
  process.stderr.write(`bench:lock-handoff: ${message}\n`);
  process.exit(code);
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
