// Where a host should call spawn(): how late its main thread's event loop runs while N children are
// spawned from a launcher thread inside the host, against a launcher process of its own.
//
//   npm run bench:spawn-stall [-- --count 200 --reps 3 --heap-mb 300]
//
// fork() copies the page tables of the process that calls it while holding that process's memory map
// lock, so a thread of the same process that faults a page meanwhile waits: the host's main thread is
// stalled by a launcher thread's spawns even though it never calls spawn() itself. Each run is a child
// process of its own (this file with --run), holding a host-sized heap; the two ways take turns over the
// repetitions, each after the machine settled. The children are `sleep 0.5`, reaped before the run ends.
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { formatSpread, rotated, settleMachine, spread } from './support/fair-runs.js';
import { writeResults } from './support/write-results.js';

type Way = 'thread' | 'process';

interface RunResult {
  readonly way: Way;
  readonly rep: number;
  readonly spawnAllMs: number;
  readonly eventLoopP99Ms: number;
  readonly eventLoopMaxMs: number;
}

const { values } = parseArgs({
  options: {
    run: { type: 'string' },
    count: { type: 'string', default: '200' },
    reps: { type: 'string', default: '3' },
    'heap-mb': { type: 'string', default: '300' },
  },
});
const count = wholeNumber(values.count, '--count');
const reps = wholeNumber(values.reps, '--reps');
const heapMb = wholeNumber(values['heap-mb'], '--heap-mb');

if (values.run !== undefined) {
  if (values.run !== 'thread' && values.run !== 'process')
    throw new RangeError('--run must be thread or process');
  process.stdout.write(`${JSON.stringify(await oneRun(values.run))}\n`);
  process.exit(0);
}

const runs: RunResult[] = [];
for (let rep = 0; rep < reps; rep++) {
  for (const way of rotated<Way>(['thread', 'process'], rep)) {
    await settleMachine();
    const result = await runChild(way);
    runs.push({ ...result, rep: rep + 1 });
    process.stderr.write(
      `bench:spawn-stall: rep ${rep + 1}/${reps} ${way}: ${count} spawns in ${result.spawnAllMs} ms, ` +
        `event loop p99 ${result.eventLoopP99Ms} ms, max ${result.eventLoopMaxMs} ms\n`,
    );
  }
}
const summary = Object.fromEntries(
  (['thread', 'process'] as const).map((way) => {
    const mine = runs.filter((r) => r.way === way);
    return [
      way,
      {
        spawnAllMs: spread(mine.map((r) => r.spawnAllMs)),
        eventLoopP99Ms: spread(mine.map((r) => r.eventLoopP99Ms)),
        eventLoopMaxMs: spread(mine.map((r) => r.eventLoopMaxMs)),
      },
    ];
  }),
) as Record<Way, Record<'spawnAllMs' | 'eventLoopP99Ms' | 'eventLoopMaxMs', ReturnType<typeof spread>>>;
process.stdout.write(
  `\n${count} spawns from a ${heapMb} MB process: median [min–max] over ${reps} repetitions\n`,
);
for (const way of ['thread', 'process'] as const) {
  const s = summary[way];
  process.stdout.write(
    `  launcher ${way.padEnd(7)}  all spawned ${formatSpread(s.spawnAllMs)} ms, ` +
      `host event loop p99 ${formatSpread(s.eventLoopP99Ms)} ms, max ${formatSpread(s.eventLoopMaxMs)} ms\n`,
  );
}
const written = writeResults(
  'spawn-stall',
  `npm run bench:spawn-stall -- --count ${count} --reps ${reps} --heap-mb ${heapMb}`,
  { count, reps, heapMb, summary, runs },
  [
    {
      title: "host main thread's event-loop delay p99 while a launcher spawns (median)",
      unit: 'ms',
      bars: (['thread', 'process'] as const).map((way) => ({
        label: `launcher ${way}`,
        value: summary[way].eventLoopP99Ms.median,
      })),
    },
  ],
);
process.stdout.write(`wrote ${written.json} and ${written.svg}\n`);

/** One run in a fresh process, so each way starts from the same heap and no leftover children. */
function runChild(way: Way): Promise<Omit<RunResult, 'rep'>> {
  const self = fileURLToPath(import.meta.url);
  const args = ['--import', 'tsx', self, '--run', way, '--count', String(count), '--heap-mb', String(heapMb)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as Omit<RunResult, 'rep'>)
        : reject(new Error(`${way} run exited ${code}`)),
    );
  });
}

async function oneRun(way: Way): Promise<Omit<RunResult, 'rep'>> {
  // A host-sized heap of small live objects: fork() copies page tables in proportion to it.
  const keep: { i: number; s: string }[] = [];
  for (let i = 0; keep.length * 100 < heapMb * 1_000_000; i++) keep.push({ i, s: `x${i}` });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  // The histogram never records its first interval: let it tick before the spawns start.
  while (loop.count === 0) await new Promise((r) => setTimeout(r, 2));
  const began = performance.now();
  await (way === 'thread' ? spawnFromThread() : spawnFromProcess());
  const spawnAllMs = Math.round(performance.now() - began);
  loop.disable();
  if (keep.length === 0) throw new Error('unreachable: keeps the heap alive until here');
  return {
    way,
    spawnAllMs,
    eventLoopP99Ms: round(loop.percentile(99) / 1e6),
    eventLoopMaxMs: round(loop.max / 1e6),
  };
}

/** Source that spawns `n` children one after another and runs `done` once all have exited. */
function spawner(n: number, done: string): string {
  return `
  const { spawn } = require('node:child_process');
  let exited = 0;
  for (let i = 0; i < ${n}; i++) {
    spawn('sleep', ['0.5'], { stdio: 'ignore' }).on('exit', () => { if (++exited === ${n}) ${done}; });
  }`;
}

function spawnFromThread(): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(
      `require('node:worker_threads').parentPort.once('message', () => {${spawner(count, "require('node:worker_threads').parentPort.postMessage('done')")}});`,
      { eval: true },
    );
    worker.once('error', reject);
    worker.once('message', () => void worker.terminate().then(() => resolve()));
    worker.postMessage('go');
  });
}

function spawnFromProcess(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '-e',
        `process.stdin.once('data', () => {${spawner(count, "process.stdout.write('done', () => process.exit(0))")}});`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    child.once('error', reject);
    child.stdout.once('data', () => child.once('exit', () => resolve()));
    child.stdin.write('go');
  });
}

function wholeNumber(text: string | undefined, name: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a whole number >= 1, got ${text}`);
  return n;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
