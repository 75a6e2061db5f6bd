/**
 * What a runtime's packaging costs per start: `npm run bench:runtime-start -- [--reps 20]`.
 *
 * A runtime process starts once per sandbox, so its start-up CPU is what a boot storm spends. This runs
 * the database-bound storm's worker (`db-storm-worker.ts`: the typed mode runs the real runtime's
 * `connectDb`, `claimRun`, `persistSample` and `recordRunExit`; the naive mode the naive port's
 * statements), alone on a settled machine, in three packagings of the same code:
 *
 * - `esm`: one ESM bundle (`dist/bench/db-storm-worker-esm.js`), better-sqlite3 loaded from
 *   `node_modules`, as the runtime shipped before;
 * - `cjs`: the CommonJS bundle (better-sqlite3's JavaScript in it) through
 *   `scripts/code-cache-loader.cjs`, its code cache removed first;
 * - `cjs+cache`: the same with the code cache a previous start wrote (what every start after the
 *   first one gets).
 *
 * Each repetition starts every mode × packaging once, in an order rotated by one per repetition, each
 * against a sandbox of its own in one fresh database. Measured from the worker's own report: the CPU of
 * the whole process up to its report (`process.cpuUsage()`: Node's start, loading, the database work)
 * and the CPU of its writes alone (after its barrier). Results: a table with medians, min–max and the
 * ratios to `esm` paired within each repetition, and `bench/results/runtime-start.json` / `.svg`.
 *
 * @example
 * ```sh
 * npm run bench:runtime-start -- --reps 10
 * ```
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DbPools, dbPathFor } from '../src/db/index.js';
import { buildSandboxConfig, insertSandboxRecord } from '../src/host/create-sandbox.js';
import type { DbStormWorkerReport } from './db-storm-worker.js';
import { formatSpread, rotated, type Spread, settleMachine, spread } from './support/fair-runs.js';
import { wholeNumberFlag } from './support/whole-number-flag.js';
import { writeResults } from './support/write-results.js';

type Mode = 'typed' | 'naive';
type Packaging = 'esm' | 'cjs' | 'cjs+cache';

const DIST = fileURLToPath(new URL('../dist/bench/', import.meta.url));
const ESM_WORKER = join(DIST, 'db-storm-worker-esm.js');
const loaderOf = (mode: Mode): string => join(DIST, `db-storm-worker-${mode}.cjs`);
const MODES: readonly Mode[] = ['typed', 'naive'];
const PACKAGINGS: readonly Packaging[] = ['esm', 'cjs', 'cjs+cache'];

const argv = process.argv.slice(2);
const { values } = parseArgs({ args: argv, options: { reps: { type: 'string' } }, strict: true });
const reps = wholeNumberFlag('bench:runtime-start', values.reps, '--reps', { fallback: 20, min: 1 });
for (const file of [ESM_WORKER, ...MODES.map(loaderOf)]) {
  if (!existsSync(file)) {
    process.stderr.write(
      `bench:runtime-start: ${file} does not exist (npm run bench:runtime-start builds it)\n`,
    );
    process.exit(1);
  }
}

const variants = MODES.flatMap((mode) => PACKAGINGS.map((packaging) => ({ mode, packaging })));
const home = mkdtempSync(join(tmpdir(), 'msb-runtime-start-'));
const dbPath = dbPathFor(home);
const ids: number[] = [];
const setup = await DbPools.open(dbPath);
// One sandbox per start, plus one per mode for the unmeasured start that writes each code cache.
for (let i = 1; i <= reps * variants.length + MODES.length; i++) {
  const name = `rt-${i}`;
  ids.push(
    (await insertSandboxRecord(setup.write, { name, config: buildSandboxConfig({ name, command: 'true' }) }))
      .id,
  );
}
await setup.close();

let started = 0;
/** One start of the worker; its report. */
function start(mode: Mode, packaging: Packaging): DbStormWorkerReport {
  if (packaging === 'cjs') removeCodeCaches(mode);
  const n = started++;
  const entry = packaging === 'esm' ? ESM_WORKER : loaderOf(mode);
  const args = ['--mode', mode, '--db', dbPath, '--home', home, '--sandbox', `rt-${n + 1}`];
  args.push('--id', String(ids[n]), '--samples', '10');
  const child = spawnSync(process.execPath, [entry, ...args], { input: 'go\n', encoding: 'utf8' });
  const report = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? 'null') as DbStormWorkerReport | null;
  if (child.status !== 0 || report === null || report.error !== null) {
    throw new Error(`${mode} ${packaging}: exited ${child.status}: ${report?.error ?? child.stderr}`);
  }
  return report;
}

function removeCodeCaches(mode: Mode): void {
  const prefix = `db-storm-worker-${mode}.bundle.cjs.`;
  for (const file of readdirSync(DIST)) {
    if (file.startsWith(prefix) && file.includes('.v8cache')) rmSync(join(DIST, file), { force: true });
  }
}

interface Run {
  readonly rep: number;
  readonly mode: Mode;
  readonly packaging: Packaging;
  readonly processCpuMs: number;
  readonly writesCpuMs: number;
}

// A cache for each mode before the first `cjs+cache` start: a `cjs` start removes the cache and writes
// a new one as it exits, so whichever of the two comes first in a repetition, `cjs+cache` finds one.
for (const mode of MODES) start(mode, 'cjs');
const runs: Run[] = [];
try {
  for (let rep = 1; rep <= reps; rep++) {
    await settleMachine();
    for (const { mode, packaging } of rotated(variants, rep - 1)) {
      const report = start(mode, packaging);
      runs.push({ rep, mode, packaging, processCpuMs: report.processCpuMs, writesCpuMs: report.cpuMs });
    }
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}

const pick = (mode: Mode, packaging: Packaging) =>
  runs.filter((r) => r.mode === mode && r.packaging === packaging);
const overEsm = (mode: Mode, packaging: Packaging, value: (r: Run) => number): Spread => {
  const ratios: number[] = [];
  for (let rep = 1; rep <= reps; rep++) {
    const base = runs.find((r) => r.rep === rep && r.mode === mode && r.packaging === 'esm');
    const other = runs.find((r) => r.rep === rep && r.mode === mode && r.packaging === packaging);
    if (base !== undefined && other !== undefined) ratios.push(value(other) / value(base));
  }
  return spread(ratios);
};
const summary = Object.fromEntries(
  variants.map(({ mode, packaging }) => [
    `${mode} ${packaging}`,
    {
      processCpuMs: spread(pick(mode, packaging).map((r) => r.processCpuMs)),
      writesCpuMs: spread(pick(mode, packaging).map((r) => r.writesCpuMs)),
      processCpuOverEsm: overEsm(mode, packaging, (r) => r.processCpuMs),
      writesCpuOverEsm: overEsm(mode, packaging, (r) => r.writesCpuMs),
    },
  ]),
);

const command = `npm run bench:runtime-start${argv.length === 0 ? '' : ` -- ${argv.join(' ')}`}`;
const header = [
  `${reps} starts each: median [min–max]`,
  'process CPU, ms',
  '/ esm',
  'writes CPU, ms',
  '/ esm',
];
const body = Object.entries(summary).map(([label, s]) => [
  label,
  formatSpread(s.processCpuMs),
  formatSpread(s.processCpuOverEsm),
  formatSpread(s.writesCpuMs),
  formatSpread(s.writesCpuOverEsm),
]);
const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i]!.length)));
const format = (row: readonly string[]) =>
  row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
process.stdout.write(`\n${command}\n\n${[format(header), ...body.map(format)].join('\n')}\n`);
const written = writeResults('runtime-start', command, { reps, summary, runs }, [
  {
    title: 'CPU of a start, whole process, median',
    unit: 'ms',
    bars: Object.entries(summary).map(([label, s]) => ({ label, value: s.processCpuMs.median })),
  },
  {
    title: 'CPU of its writes, median',
    unit: 'ms',
    bars: Object.entries(summary).map(([label, s]) => ({ label, value: s.writesCpuMs.median })),
  },
]);
process.stdout.write(`\nwrote ${written.json} and ${written.svg}\n`);
