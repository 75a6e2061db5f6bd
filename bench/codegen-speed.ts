/**
 * Measures the generator on a synthetic project of 250 queries over the domain schema
 * (`npm run bench:codegen`): the real CLI as a child process, wall time and the process's CPU time
 * (every thread), in each mode; prints min, median and max and writes them to
 * bench/results/codegen-speed.{json,svg}. `RUNS=n` sets the runs per mode (default 7).
 *
 * Cold modes remove the generator's caches of earlier runs first (the analysed query files and the
 * module texts TypeScript accepted, under node_modules/.cache/msb-codegen): a fresh clone, or CI.
 * Warm modes keep them: `codegen:check` after `codegen`, or a run after editing nothing.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  const caches = ['analysis', 'parsed-modules'].map((c) => join(root, 'node_modules/.cache/msb-codegen', c));
  // The child's CPU time, every thread included, written as it exits.
  const cpuFile = join(dir, 'cpu.json');
  const preload = join(dir, 'cpu-usage.cjs');
  writeFileSync(
    preload,
    `process.on('exit', () => { const u = process.cpuUsage(); require('fs').writeFileSync(${JSON.stringify(cpuFile)}, JSON.stringify((u.user + u.system) / 1000)); });\n`,
  );
  type Mode = { label: string; flags: string[]; fresh: boolean; cold: boolean };
  const modes: Mode[] = [
    { label: 'cold, all files written', flags: [], fresh: true, cold: true },
    { label: 'cold, --check', flags: ['--check'], fresh: false, cold: true },
    { label: 'cold, serial render, all written', flags: ['--serial'], fresh: true, cold: true },
    { label: 'warm, all files written', flags: [], fresh: true, cold: false },
    { label: 'warm, nothing to write', flags: [], fresh: false, cold: false },
    { label: 'warm, --check', flags: ['--check'], fresh: false, cold: false },
  ];
  const samples = new Map(modes.map((m) => [m.label, { wall: [] as number[], cpu: [] as number[] }]));
  const run = async (mode: Mode): Promise<void> => {
    if (mode.fresh) rmSync(join(dir, 'out'), { recursive: true, force: true });
    if (mode.cold) for (const c of caches) rmSync(c, { recursive: true, force: true });
    const start = performance.now();
    await $({ quiet: true })`node --require ${preload} ${cli} --config ${config} ${mode.flags}`;
    const wall = performance.now() - start;
    samples.get(mode.label)?.wall.push(wall);
    samples.get(mode.label)?.cpu.push(Number(readFileSync(cpuFile, 'utf8')));
  };
  console.log(
    `codegen of ${count} queries in 10 files: wall and CPU time of the npm run codegen process (node scripts/codegen-launch.mjs)`,
  );
  // The first run builds the bundle and writes the output; then the modes take turns, so a burst of
  // load elsewhere on the machine spreads over all of them.
  await run({ label: 'warm, all files written', flags: [], fresh: true, cold: false });
  for (const s of samples.values()) s.wall.length = s.cpu.length = 0;
  for (let i = 0; i < runs; i++) for (const mode of modes) await run(mode);
  const stats = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      min: Math.round(sorted[0] ?? 0),
      median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
      max: Math.round(sorted.at(-1) ?? 0),
      all: values.map(Math.round),
    };
  };
  const results = modes.map((m) => {
    const s = samples.get(m.label) ?? { wall: [], cpu: [] };
    return { mode: m.label, runs, wallMs: stats(s.wall), cpuMs: stats(s.cpu) };
  });
  for (const r of results) {
    console.log(
      `${r.mode.padEnd(34)} wall median ${String(r.wallMs.median).padStart(5)} ms (${r.wallMs.min}–${r.wallMs.max})   CPU median ${String(r.cpuMs.median).padStart(5)} ms (${r.cpuMs.min}–${r.cpuMs.max})`,
    );
  }
  const written = writeResults(
    'codegen-speed',
    `RUNS=${runs} npm run bench:codegen`,
    { queries: count, files: 10, loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100, results },
    [
      {
        title: `wall time of one codegen run, ${count} queries (median of ${runs})`,
        unit: 'ms',
        bars: results.map((r) => ({ label: r.mode, value: r.wallMs.median })),
      },
      {
        title: `CPU time of one codegen run, every thread (median of ${runs})`,
        unit: 'ms',
        bars: results.map((r) => ({ label: r.mode, value: r.cpuMs.median })),
      },
    ],
  );
  console.log(`wrote ${written.json} and ${written.svg}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
