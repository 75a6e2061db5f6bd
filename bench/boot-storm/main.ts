/**
 * The boot-storm benchmark (DESIGN §6): `npm run bench:storm -- [--count 200] [--hold-secs 3]
 * [--modes typed,naive,none]`.
 *
 * 1. Each mode runs in a child process of its own (`run-mode.ts`) with its own fresh `MSB_HOME` temp
 *    dir, one mode after the other, so modes share no database, no page cache of it and no processes.
 * 2. After each mode, any process still tied to its home (a runtime or workload the child failed to
 *    stop) is SIGKILLed and counted, and the home is removed, even when the child failed.
 * 3. Prints a table (one column per mode) and writes `bench/results/boot-storm.json` and `.svg` with
 *    the command.
 *
 * Exit codes: 0 every mode ran, 1 a mode could not run, 2 bad arguments.
 *
 * @example
 * ```sh
 * npm run bench:storm -- --count 20 --hold-secs 3 --modes typed,naive,none
 * ```
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Panel, writeResults } from '../support/write-results.js';
import { killHomeProcesses } from './kill-home-processes.js';
import type { ModeResult } from './mode-result.js';
import { renderStormTable } from './render-storm-table.js';
import { parseStormArgs, type StormMode } from './storm-args.js';
import { StormArgsError } from './storm-args-error.js';
import { STORM_SETTINGS } from './storm-settings.js';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUN_MODE = fileURLToPath(new URL('./run-mode.ts', import.meta.url));

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

const results: (ModeResult & { readonly strayProcessesKilled: number })[] = [];
let failed = false;
for (const mode of args.modes) {
  process.stderr.write(`bench:storm: ${mode}: ${args.count} sandboxes, hold ${args.holdSecs} s\n`);
  const result = await runModeChild(mode);
  if (result === undefined) failed = true;
  else results.push(result);
}

const command = `npm run bench:storm${argv.length === 0 ? '' : ` -- ${argv.join(' ')}`}`;
process.stdout.write(`\n${command}\n\n${renderStormTable(results)}`);
for (const r of results) {
  for (const f of r.failures)
    process.stdout.write(`${r.mode} ${f.phase} failure ×${f.count}: ${f.message}\n`);
  if (r.strayProcessesKilled > 0) {
    process.stdout.write(`${r.mode}: ${r.strayProcessesKilled} stray processes killed after the mode\n`);
  }
}
const bar = (pick: (r: ModeResult) => number) => results.map((r) => ({ label: r.mode, value: pick(r) }));
const panels: Panel[] = [
  { title: 'sandboxes/s (boot phase)', unit: '/s', bars: bar((r) => r.sandboxesPerSecond) },
  { title: 'boot time, median', unit: 'ms', bars: bar((r) => r.bootMs.median) },
  { title: 'boot time, p99', unit: 'ms', bars: bar((r) => r.bootMs.p99) },
  { title: 'host event-loop delay, max', unit: 'ms', bars: bar((r) => r.eventLoopDelayMs.max) },
  {
    title: 'SQLITE_BUSY surfaced (host + runtimes)',
    unit: '',
    bars: bar((r) => r.busySurfaced.host + r.busySurfaced.runtimes),
  },
];
const written = writeResults(
  'boot-storm',
  command,
  { args, settings: STORM_SETTINGS, modes: results },
  panels,
);
process.stdout.write(`\nwrote ${written.json} and ${written.svg}\n`);
process.exit(failed ? 1 : 0);

/** Runs one mode in its own process and home; undefined when it produced no result. */
async function runModeChild(
  mode: StormMode,
): Promise<(ModeResult & { readonly strayProcessesKilled: number }) | undefined> {
  const home = mkdtempSync(join(tmpdir(), `msb-storm-${mode}-`));
  const out = join(home, 'result.json');
  try {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        RUN_MODE,
        ...['--mode', mode, '--count', String(args.count), '--hold-secs', String(args.holdSecs)],
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
