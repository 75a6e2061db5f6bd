/**
 * What a metric sample's `/proc` reads cost: `npm run bench:proc-read -- [--samples 500] [--reps 5]`.
 *
 * A runtime samples its workload once a second by reading five procfs files (`stat`, `status`, `io`,
 * `net/dev` of the process and `/proc/uptime`). Against a live `sleep` process, `--samples` samples are
 * taken with `readProcStats` (synchronous `readFileSync`, what the runtime does), then as many reading
 * the same five files through `fs/promises` (each file an open, a stat, reads until EOF and a close, each
 * a thread-pool round trip), the two alternating over `--reps` rounds. Measured: CPU per sample from
 * `process.cpuUsage()`, which counts every thread of the process (the thread pool included), and wall
 * time per sample. Results: a table and `bench/results/proc-read.json` / `.svg`.
 *
 * @example
 * ```sh
 * npm run bench:proc-read -- --samples 200 --reps 3
 * ```
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { readProcStats } from '../src/runtime/read-proc-stats.js';
import { formatSpread, type Spread, spread } from './support/fair-runs.js';
import { wholeNumberFlag } from './support/whole-number-flag.js';
import { writeResults } from './support/write-results.js';

const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv,
  options: { samples: { type: 'string' }, reps: { type: 'string' } },
  strict: true,
});
const samples = wholeNumberFlag('bench:proc-read', values.samples, '--samples', { fallback: 500, min: 1 });
const reps = wholeNumberFlag('bench:proc-read', values.reps, '--reps', { fallback: 5, min: 1 });

const workload = spawn('sleep', ['600'], { stdio: 'ignore' });
const pid = workload.pid!;
const files = [
  `/proc/${pid}/stat`,
  `/proc/${pid}/status`,
  '/proc/uptime',
  `/proc/${pid}/io`,
  `/proc/${pid}/net/dev`,
];

type Way = 'readFileSync (readProcStats)' | 'fs/promises';
const ways: Record<Way, () => Promise<unknown>> = {
  'readFileSync (readProcStats)': async () => {
    if (readProcStats(pid) === undefined) throw new Error(`pid ${pid} is gone`);
  },
  'fs/promises': () => Promise.all(files.map((file) => readFile(file, 'utf8'))),
};
const measured: Record<Way, { cpuUs: number[]; wallUs: number[] }> = {
  'readFileSync (readProcStats)': { cpuUs: [], wallUs: [] },
  'fs/promises': { cpuUs: [], wallUs: [] },
};

try {
  // Warm both paths (JIT, the thread pool's threads) before anything counts.
  for (const read of Object.values(ways)) for (let i = 0; i < 50; i++) await read();
  for (let rep = 0; rep < reps; rep++) {
    const order = Object.keys(ways) as Way[];
    if (rep % 2 === 1) order.reverse();
    for (const way of order) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      for (let i = 0; i < samples; i++) await ways[way]();
      const wallUs = ((performance.now() - start) * 1000) / samples;
      const used = process.cpuUsage(cpu);
      measured[way].cpuUs.push((used.user + used.system) / samples);
      measured[way].wallUs.push(wallUs);
    }
  }
} finally {
  workload.kill('SIGKILL');
}

const summary = Object.fromEntries(
  (Object.keys(measured) as Way[]).map((way) => [
    way,
    { cpuUsPerSample: spread(measured[way].cpuUs), wallUsPerSample: spread(measured[way].wallUs) },
  ]),
) as Record<Way, { cpuUsPerSample: Spread; wallUsPerSample: Spread }>;
const command = `npm run bench:proc-read${argv.length === 0 ? '' : ` -- ${argv.join(' ')}`}`;
const rows = (Object.keys(summary) as Way[]).map((way) => [
  way,
  formatSpread(summary[way].cpuUsPerSample),
  formatSpread(summary[way].wallUsPerSample),
]);
const header = [`${samples} samples x ${reps} reps: median [min–max]`, 'CPU µs/sample', 'wall µs/sample'];
const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]!.length)));
const format = (row: readonly string[]) =>
  row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
process.stdout.write(`\n${command}\n\n${[format(header), ...rows.map(format)].join('\n')}\n`);
const written = writeResults('proc-read', command, { samples, reps, summary, measured }, [
  {
    title: 'CPU per sample, median',
    unit: 'µs',
    bars: (Object.keys(summary) as Way[]).map((way) => ({
      label: way,
      value: summary[way].cpuUsPerSample.median,
    })),
  },
]);
process.stdout.write(`\nwrote ${written.json} and ${written.svg}\n`);
