/**
 * The reliability suite, run by hand like the benchmarks: `npm run reliability -- [--seed n] [--quick]
 * [--only name,…]`.
 *
 * 1. Runs every fault scenario (`scenarios/`) with a random source seeded from `--seed` (default 1),
 *    the full number of trials (over 100 CLI kills, over 50 runtime kills, …), or a few with `--quick`;
 *    progress goes to stderr.
 * 2. Runs every bad-input case (`bad-inputs-<area>.ts`) as `bad-inputs.test.ts` does.
 * 3. A full run writes `bench/results/reliability.json` (every trial and check, the command, the seed,
 *    the machine) and the table between the markers of `docs/reliability.md`; `--quick` and `--only`
 *    print the table and write nothing.
 *
 * Exit codes: 0 the suite ran (failing invariants are results, shown in the table), 1 a scenario could
 * not run, 2 bad arguments.
 *
 * @example
 * ```sh
 * npm run reliability -- --seed 7 --quick --only cli-kill,held-lock
 * ```
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineSummary } from '../../bench/support/write-results.js';
import { runBadInputCases } from './harness/bad-input-rows.js';
import { renderReliabilityTable, writeReliabilityTable } from './harness/reliability-table.js';
import { abortScenarios, runScenario, type ScenarioOutcome } from './harness/scenario.js';
import { SCENARIOS } from './scenarios/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let options: { seed: number; quick: boolean; only: string[] | undefined };
try {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { seed: { type: 'string' }, quick: { type: 'boolean' }, only: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const seed = Number(values.seed ?? '1');
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`--seed must be a whole number >= 0, got ${values.seed}`);
  const only = values.only?.split(',');
  const unknown = only?.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown !== undefined && unknown.length > 0) {
    throw new Error(
      `--only: unknown scenario ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`,
    );
  }
  options = { seed, quick: values.quick === true, only };
} catch (err) {
  process.stderr.write(`reliability: ${(err as Error).message}\n`);
  process.exit(2);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(
      `reliability: ${signal}: killing the scenarios' processes and removing their homes\n`,
    );
    void abortScenarios().finally(() => process.exit(130));
  });
}

const began = performance.now();
const progress = (line: string): void => {
  process.stderr.write(
    `reliability [${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s] ${line}\n`,
  );
};
const size = options.quick ? 'quick' : 'full';
const scenarios: (ScenarioOutcome & { name: string; durationMs: number })[] = [];
for (const scenario of SCENARIOS.filter((s) => options.only?.includes(s.name) ?? true)) {
  progress(`${scenario.name}: starting (${size}, seed ${options.seed})`);
  const started = performance.now();
  try {
    const outcome = await runScenario(scenario, { seed: options.seed, size, progress });
    scenarios.push({ name: scenario.name, durationMs: Math.round(performance.now() - started), ...outcome });
    const failing = outcome.rows.filter((r) => !r.ok).length;
    progress(`${scenario.name}: ${outcome.rows.length} rows, ${failing} failing`);
  } catch (err) {
    progress(`${scenario.name} could not run: ${(err as Error).stack ?? err}`);
    process.exit(1);
  }
}
const badInputs = options.only === undefined ? await runBadInputCases(progress) : [];

const rows = scenarios.flatMap((s) => s.rows);
const failing = rows.filter((r) => !r.ok).length;
const badFailing = badInputs.filter((b) => b.result !== 'ok').length;
const machine = machineSummary();
const command =
  `npm run reliability -- --seed ${options.seed}${options.quick ? ' --quick' : ''}` +
  (options.only === undefined ? '' : ` --only ${options.only.join(',')}`);
const written = !options.quick && options.only === undefined;
const caption =
  `Recorded ${new Date().toISOString().slice(0, 10)} by \`${command}\` in ${Math.round((performance.now() - began) / 1000)} s ` +
  `(Node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}): ${rows.length} fault rows ` +
  `(${rows.reduce((n, r) => n + r.trials, 0)} faults, ${failing} rows failing) and ${badInputs.length} bad-input cases ` +
  `(${badFailing} failing).${written ? ' Every trial and check is in `bench/results/reliability.json`.' : ''}`;
const table = renderReliabilityTable(rows, badInputs, caption);
if (!written) {
  process.stdout.write(table);
} else {
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const document = {
    name: 'reliability',
    command,
    seed: options.seed,
    size,
    recordedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - began),
    machine,
    scenarios,
    badInputs,
  };
  writeFileSync(join(resultsDir, 'reliability.json'), `${JSON.stringify(document, null, 2)}\n`);
  const doc = join(ROOT, 'docs', 'reliability.md');
  writeReliabilityTable(doc, table);
  // Aligned as the linter (`npm run lint`) wants every markdown table.
  execFileSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', doc], { stdio: 'ignore' });
  progress('wrote bench/results/reliability.json and the table of docs/reliability.md');
}
progress(
  `done: ${rows.length} fault rows (${failing} failing), ${badInputs.length} bad inputs (${badFailing} failing)`,
);
