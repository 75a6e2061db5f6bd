/**
 * The boot-storm benchmark: `npm run bench:storm -- [--count 50,200 | --full] [--reps 3]
 * [--hold-secs 3] [--modes typed,naive,none]`.
 *
 * 1. For each storm size, `reps` repetitions; in each, every mode once, the order rotated by one per
 *    repetition (typed, naive, none; naive, none, typed; …), so the modes are interleaved and none
 *    always runs first or last.
 * 2. Once before the repetitions, each mode runs a storm of 2 that is not measured, so the runtime
 *    bundles' code caches are written (see `scripts/code-cache-loader.cjs`).
 * 3. Before each run the previous run's processes are gone (killed and counted if a run left any) and
 *    the machine has settled (at most 15 % of all cores busy over a second, from /proc/stat).
 * 4. Each run is a child process of its own (`run-mode.ts`) with its own fresh `MSB_HOME` temp dir, so
 *    modes share no database, no page cache of it and no processes.
 * 5. Prints, per size, the medians with their min–max over the repetitions and the typed/naive and
 *    typed/none ratios (paired within a repetition), and writes `bench/results/boot-storm.json` (every
 *    repetition, the command, the settings, the machine) and `.svg`.
 *
 * Exit codes: 0 every run ran, 1 a run could not run, 2 bad arguments.
 *
 * @example
 * ```sh
 * npm run bench:storm -- --count 20 --reps 1 --hold-secs 3 --modes typed,naive,none
 * ```
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  formatSpread,
  rotated,
  type Settled,
  type Spread,
  settleMachine,
  spread,
} from '../support/fair-runs.js';
import { type Panel, writeResults } from '../support/write-results.js';
import type { ModeResult } from './run-mode.js';
import { parseStormArgs, STORM_SETTINGS, StormArgsError, type StormMode } from './storm-settings.js';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUN_MODE = fileURLToPath(new URL('./run-mode.ts', import.meta.url));
const WARM_UP_COUNT = 2;

const argv = process.argv.slice(2);
let args: ReturnType<typeof parseStormArgs>;
try {
  args = parseStormArgs(argv);
} catch (err) {
  if (!(err instanceof StormArgsError)) throw err;
  process.stderr.write(`bench:storm: ${err.message}\n`);
  process.exit(2);
}

let current: { child: ReturnType<typeof spawn>; home: string } | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (current !== undefined) {
      current.child.kill('SIGTERM');
      killHomeProcesses(current.home);
      rmSync(current.home, { recursive: true, force: true });
    }
    process.exit(130);
  });
}

type Run = ModeResult & {
  readonly rep: number;
  readonly settled: Settled;
  readonly strayProcessesKilled: number;
};

// Each mode once, unmeasured, before the repetitions: a freshly built runtime bundle has no code cache
// yet, and the first runtime of it to finish writes one (scripts/code-cache-loader.cjs), as the first
// runtime after an install does.
for (const mode of args.modes) {
  await settleMachine();
  process.stderr.write(`bench:storm: warm-up ${mode} (${WARM_UP_COUNT} sandboxes, not measured)\n`);
  // No hold: a runtime writes its cache once ready. A warm-up that failed would leave the cache to the
  // mode's first measured run, which would pay for it alone.
  if ((await runModeChild(mode, WARM_UP_COUNT, 0)) === undefined) {
    process.stderr.write(`bench:storm: the ${mode} warm-up failed; nothing measured\n`);
    process.exit(1);
  }
}
const runs: Run[] = [];
let failed = false;
for (const count of args.counts) {
  for (let rep = 0; rep < args.reps; rep++) {
    for (const mode of rotated(args.modes, rep)) {
      const settled = await settleMachine();
      process.stderr.write(
        `bench:storm: N=${count} rep ${rep + 1}/${args.reps} ${mode} (hold ${args.holdSecs} s; settled after ` +
          `${Math.round(settled.waitedMs)} ms at ${Math.round(settled.busy * 100)} % busy)\n`,
      );
      const result = await runModeChild(mode, count);
      if (result === undefined) failed = true;
      else runs.push({ ...result, rep: rep + 1, settled });
    }
  }
}

const summaries = args.counts.map((count) =>
  summarize(
    count,
    runs.filter((r) => r.count === count),
  ),
);
const command = `npm run bench:storm${argv.length === 0 ? '' : ` -- ${argv.join(' ')}`}`;
process.stdout.write(`\n${command}\n`);
for (const summary of summaries) process.stdout.write(`\n${renderSummary(summary)}`);
for (const r of runs) {
  for (const f of r.failures)
    process.stdout.write(
      `N=${r.count} rep ${r.rep} ${r.mode} ${f.phase} failure ×${f.count}: ${f.message}\n`,
    );
  if (r.strayProcessesKilled > 0) {
    process.stdout.write(
      `N=${r.count} rep ${r.rep} ${r.mode}: ${r.strayProcessesKilled} stray processes killed after the run\n`,
    );
  }
}
const largest = summaries.at(-1);
const bar = (pick: (m: ModeSummary) => Spread) =>
  largest === undefined
    ? []
    : args.modes.map((mode) => ({
        label: `${mode} N=${largest.count}`,
        value: pick(largest.modes[mode]!).median,
      }));
const panels: Panel[] = [
  { title: 'sandboxes/s (boot phase), median', unit: '/s', bars: bar((m) => m.sandboxesPerSecond) },
  { title: 'host event-loop delay p99, median', unit: 'ms', bars: bar((m) => m.eventLoopP99Ms) },
  { title: 'host event-loop delay max, median', unit: 'ms', bars: bar((m) => m.eventLoopMaxMs) },
  { title: 'machine CPU per boot (boot phase), median', unit: 'ms', bars: bar((m) => m.machineCpuMsPerBoot) },
  { title: 'runtime + workload CPU per sandbox, median', unit: 'ms', bars: bar((m) => m.cpuPerSandboxMs) },
];
const written = writeResults(
  'boot-storm',
  command,
  { args, settings: STORM_SETTINGS, summaries, runs },
  panels,
);
process.stdout.write(`\nwrote ${written.json} and ${written.svg}\n`);
process.exit(failed ? 1 : 0);

interface ModeSummary {
  readonly runs: number;
  readonly sandboxesPerSecond: Spread;
  readonly bootMedianMs: Spread;
  readonly bootP99Ms: Spread;
  readonly eventLoopP99Ms: Spread;
  readonly eventLoopMaxMs: Spread;
  /** The idle reference process's (`idle-probe.ts`): the machine's share of the host's stalls. */
  readonly idleProcessP99Ms: Spread;
  readonly idleProcessMaxMs: Spread;
  readonly spawnBlockingMaxMs: Spread;
  readonly cpuPerSandboxMs: Spread;
  readonly hostBootCpuMsPerSandbox: Spread;
  readonly launcherBootCpuMsPerSandbox: Spread;
  readonly hostHoldCpuMsPerSecond: Spread;
  readonly machineBusyFraction: Spread;
  readonly machineStealFraction: Spread;
  readonly machineCpuMsPerBoot: Spread;
  readonly hostBusyRetries: Spread;
  /** Over all repetitions. */
  readonly busySurfaced: number;
  readonly failedBootsOrStops: number;
  /** Every repetition found every expected row (metrics: at least the expected minimum). */
  readonly rowsComplete: boolean | null;
}

interface CountSummary {
  readonly count: number;
  readonly modes: Partial<Record<StormMode, ModeSummary>>;
  /** Paired within each repetition, then the median and spread over repetitions. */
  readonly ratios: {
    readonly typedOverNaiveSandboxesPerSecond: Spread;
    readonly typedOverNoneSandboxesPerSecond: Spread;
    readonly typedOverNaiveCpuPerSandbox: Spread;
    /**
     * Machine CPU per boot, typed over naive: on a machine the storm keeps busy, with no steal, the
     * inverse of the rate ratio, measured from the machine's side.
     */
    readonly typedOverNaiveMachineCpuPerBoot: Spread;
    /** The same, typed over no database. */
    readonly typedOverNoneMachineCpuPerBoot: Spread;
  };
}

function summarize(count: number, ofCount: readonly Run[]): CountSummary {
  const modes: Partial<Record<StormMode, ModeSummary>> = {};
  for (const mode of args.modes) {
    const rs = ofCount.filter((r) => r.mode === mode);
    const over = (pick: (r: Run) => number | null) =>
      spread(rs.map(pick).filter((v): v is number => v !== null));
    modes[mode] = {
      runs: rs.length,
      sandboxesPerSecond: over((r) => r.sandboxesPerSecond),
      bootMedianMs: over((r) => r.bootMs.median),
      bootP99Ms: over((r) => r.bootMs.p99),
      eventLoopP99Ms: over((r) => r.eventLoopDelayMs.p99),
      eventLoopMaxMs: over((r) => r.eventLoopDelayMs.max),
      idleProcessP99Ms: over((r) => r.idleProcessDelayMs.p99),
      idleProcessMaxMs: over((r) => r.idleProcessDelayMs.max),
      spawnBlockingMaxMs: over((r) => r.spawnBlockingMs.maxMs),
      cpuPerSandboxMs: over((r) => r.childCpuMsPerSandbox),
      hostBootCpuMsPerSandbox: over((r) => r.hostBootCpuMsPerSandbox),
      launcherBootCpuMsPerSandbox: over((r) => r.launcherBootCpuMsPerSandbox),
      hostHoldCpuMsPerSecond: over((r) => r.hostHoldCpuMsPerSecond),
      machineBusyFraction: over((r) => r.machineBoot.busyFraction),
      machineStealFraction: over((r) => r.machineBoot.stealFraction),
      machineCpuMsPerBoot: over((r) => r.machineBoot.cpuMsPerBoot),
      hostBusyRetries: over((r) => r.busyRetries.host),
      busySurfaced: rs.reduce((n, r) => n + r.busySurfaced.host + r.busySurfaced.runtimes, 0),
      failedBootsOrStops: rs.reduce((n, r) => n + (r.count - r.successes) + (r.successes - r.stopped), 0),
      rowsComplete: rs.every((r) => r.rows === null)
        ? null
        : rs.every((r) => r.rows !== null && Object.values(r.rows).every((p) => p.found >= p.expected)),
    };
  }
  const paired = (a: StormMode, b: StormMode, pick: (r: Run) => number) => {
    const ratios: number[] = [];
    for (let rep = 1; rep <= args.reps; rep++) {
      const x = ofCount.find((r) => r.rep === rep && r.mode === a);
      const y = ofCount.find((r) => r.rep === rep && r.mode === b);
      if (x !== undefined && y !== undefined && pick(y) > 0) ratios.push(pick(x) / pick(y));
    }
    return spread(ratios);
  };
  return {
    count,
    modes,
    ratios: {
      typedOverNaiveSandboxesPerSecond: paired('typed', 'naive', (r) => r.sandboxesPerSecond),
      typedOverNoneSandboxesPerSecond: paired('typed', 'none', (r) => r.sandboxesPerSecond),
      typedOverNaiveCpuPerSandbox: paired('typed', 'naive', (r) => r.childCpuMsPerSandbox),
      typedOverNaiveMachineCpuPerBoot: paired('typed', 'naive', (r) => r.machineBoot.cpuMsPerBoot),
      typedOverNoneMachineCpuPerBoot: paired('typed', 'none', (r) => r.machineBoot.cpuMsPerBoot),
    },
  };
}

function renderSummary(summary: CountSummary): string {
  const modes = args.modes.filter((m) => summary.modes[m] !== undefined);
  const cell = (pick: (m: ModeSummary) => string) => modes.map((m) => pick(summary.modes[m]!));
  const lines: [string, string[]][] = [
    ['runs', cell((m) => String(m.runs))],
    ['sandboxes/s (boot phase)', cell((m) => formatSpread(m.sandboxesPerSecond))],
    ['boot median ms', cell((m) => formatSpread(m.bootMedianMs))],
    ['boot p99 ms', cell((m) => formatSpread(m.bootP99Ms))],
    ['host event-loop delay p99 ms', cell((m) => formatSpread(m.eventLoopP99Ms))],
    ['host event-loop delay max ms', cell((m) => formatSpread(m.eventLoopMaxMs))],
    ['idle process event-loop p99 ms', cell((m) => formatSpread(m.idleProcessP99Ms))],
    ['idle process event-loop max ms', cell((m) => formatSpread(m.idleProcessMaxMs))],
    ['host blocked in spawn() max ms', cell((m) => formatSpread(m.spawnBlockingMaxMs))],
    ['runtime + workload CPU per sandbox ms (whole storm)', cell((m) => formatSpread(m.cpuPerSandboxMs))],
    ['host CPU per boot ms (boot phase)', cell((m) => formatSpread(m.hostBootCpuMsPerSandbox))],
    ['launcher CPU per boot ms (boot phase)', cell((m) => formatSpread(m.launcherBootCpuMsPerSandbox))],
    ['host CPU per s of hold ms (its timers)', cell((m) => formatSpread(m.hostHoldCpuMsPerSecond))],
    ['machine busy share (boot phase)', cell((m) => formatSpread(m.machineBusyFraction))],
    ['machine steal share (boot phase)', cell((m) => formatSpread(m.machineStealFraction))],
    ['machine CPU per boot ms (boot phase)', cell((m) => formatSpread(m.machineCpuMsPerBoot))],
    ['busy retries: host writer', cell((m) => formatSpread(m.hostBusyRetries))],
    ['SQLITE_BUSY surfaced (all reps)', cell((m) => String(m.busySurfaced))],
    ['failed boots + stops (all reps)', cell((m) => String(m.failedBootsOrStops))],
    [
      'every expected row found',
      cell((m) => (m.rowsComplete === null ? '–' : m.rowsComplete ? 'yes' : 'NO')),
    ],
  ];
  const header = [`N = ${summary.count}: median [min–max]`, ...modes];
  const body = lines.map(([label, cells]) => [label, ...cells]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => (row[i] ?? '').length)));
  const format = (row: readonly string[]): string =>
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const { ratios } = summary;
  return (
    `${[format(header), ...body.map(format)].join('\n')}\n` +
    `typed/naive sandboxes/s: ${formatSpread(ratios.typedOverNaiveSandboxesPerSecond)}; ` +
    `typed/none: ${formatSpread(ratios.typedOverNoneSandboxesPerSecond)}; ` +
    `typed/naive CPU per sandbox: ${formatSpread(ratios.typedOverNaiveCpuPerSandbox)}\n` +
    `machine CPU per boot, typed/naive: ${formatSpread(ratios.typedOverNaiveMachineCpuPerBoot)}; ` +
    `typed/none: ${formatSpread(ratios.typedOverNoneMachineCpuPerBoot)}\n`
  );
}

/** Runs one mode in its own process and home; undefined when it produced no result. */
async function runModeChild(
  mode: StormMode,
  count: number,
  holdSecs = args.holdSecs,
): Promise<(ModeResult & { readonly strayProcessesKilled: number }) | undefined> {
  const home = mkdtempSync(join(tmpdir(), `msb-storm-${mode}-`));
  const out = join(home, 'result.json');
  try {
    const child = spawn(
      process.execPath,
      [
        // Every mode's host runs as the msb executable runs (see src/cli/main.ts).
        '--single-threaded-gc',
        '--no-memory-reducer',
        '--import',
        'tsx',
        RUN_MODE,
        ...['--mode', mode, '--count', String(count), '--hold-secs', String(holdSecs)],
        ...['--out', out],
      ],
      { cwd: PROJECT_ROOT, env: { ...process.env, MSB_HOME: home }, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    current = { child, home };
    const exit = await new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => resolve(signal ?? String(code)));
      child.once('error', (err) => resolve(`an error (cannot start ${RUN_MODE}: ${err.message})`));
    });
    const strayProcessesKilled = killHomeProcesses(home);
    if (exit !== '0') {
      process.stderr.write(
        `bench:storm: ${mode}: run-mode exited with ${exit}; no result; ` +
          `${strayProcessesKilled} stray processes of its home killed\n`,
      );
      return undefined;
    }
    const result = JSON.parse(readFileSync(out, 'utf8')) as ModeResult;
    return { ...result, strayProcessesKilled };
  } finally {
    current = undefined;
    killHomeProcesses(home);
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * SIGKILLs every process of a storm's temp home: its command line names `home` (the runtimes, whose
 * `--db` or `--dir` lies under it) or its working directory is under it (the workloads). The last line of
 * cleanup, for what a crashed mode child could not kill; the home is a fresh `mkdtemp` path, so no
 * unrelated process matches. Returns how many were killed.
 */
function killHomeProcesses(home: string): number {
  let killed = 0;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) continue;
    if (!belongsTo(pid, home)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  return killed;
}

function belongsTo(pid: number, home: string): boolean {
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(home)) return true;
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return cwd === home || cwd.startsWith(`${home}/`);
  } catch {
    // Gone meanwhile, or not ours to inspect (EACCES): not a process this benchmark started.
    return false;
  }
}
