/**
 * Measures the generator's wall time on a synthetic project of 250 queries over the domain schema
 * (`npm run bench:codegen`): the real CLI as a child process, cold (no output yet) and then with
 * nothing to write, rendering in a worker (the default) and serially; prints min and median of each
 * and writes them to bench/results/codegen-speed.{json,svg}. `RUNS=n` sets the runs per mode (default 7).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { $ } from 'zx';
import { writeSyntheticQueries } from '../scripts/codegen/synthetic-queries.js';
import { writeResults } from './support/write-results.js';

const root = resolve(import.meta.dirname, '..');
const runs = Number(process.env.RUNS ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'msb-codegen-bench-'));
try {
  cpSync(join(root, 'schema'), join(dir, 'schema'), { recursive: true });
  mkdirSync(join(dir, 'queries'));
  const count = writeSyntheticQueries(join(dir, 'queries'), 250);
  writeFileSync(
    join(dir, 'sqlc.yaml'),
    [
      'version: "2"',
      'plugins: [{name: msb-ts, process: {cmd: node scripts/codegen-launch.mjs}}]',
      'sql:',
      '  - engine: sqlite',
      '    schema: schema',
      '    queries: queries',
      '    codegen: [{out: out, plugin: msb-ts, options: {db_import: ../db/index.js}}]',
      '',
    ].join('\n'),
  );
  const cli = join(root, 'scripts/codegen-launch.mjs');
  const config = join(dir, 'sqlc.yaml');
  const results: { mode: string; minMs: number; medianMs: number; runs: number; timesMs: number[] }[] = [];
  const measure = async (label: string, flags: string[], fresh: boolean): Promise<void> => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      if (fresh) rmSync(join(dir, 'out'), { recursive: true, force: true });
      const start = performance.now();
      await $({ quiet: true })`node ${cli} --config ${config} ${flags}`;
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? 0;
    results.push({
      mode: label,
      minMs: Math.round(times[0] ?? 0),
      medianMs: Math.round(median),
      runs,
      timesMs: times.map(Math.round),
    });
    console.log(
      `${label.padEnd(34)} min ${(times[0] ?? 0).toFixed(0).padStart(5)} ms   median ${median.toFixed(0).padStart(5)} ms   (${runs} runs)`,
    );
  };
  console.log(
    `codegen of ${count} queries in 10 files, wall time of the npm run codegen process (node scripts/codegen-launch.mjs)`,
  );
  await measure('worker render, all files written', [], true);
  await measure('worker render, nothing to write', [], false);
  await measure('serial render, all files written', ['--serial'], true);
  await measure('--check, up to date', ['--check'], false);
  const written = writeResults(
    'codegen-speed',
    `RUNS=${runs} npm run bench:codegen`,
    { queries: count, files: 10, loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100, results },
    [
      {
        title: `wall time of one codegen run, ${count} queries (median of ${runs})`,
        unit: 'ms',
        bars: results.map((r) => ({ label: r.mode, value: r.medianMs })),
      },
    ],
  );
  console.log(`wrote ${written.json} and ${written.svg}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
