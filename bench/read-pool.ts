/**
 * The read pool benchmark: `npm run bench:read-pool -- [--rows 1000000] [--reads 8] [--reps 3]`.
 *
 * A heavy read (`summarizeMetrics`: an aggregate over every `sandbox_metric` row) is run `--reads`
 * times, once synchronously on the main thread's `DbReadConnection` one after the other, once
 * concurrently through `DbPools.readPool` (worker threads, `max_connections` of them, default 5). The
 * two are interleaved over `--reps` repetitions, the pool warmed (its workers started) beforehand.
 * Measured: reads per second and the main thread's event-loop delay (1 ms resolution) while each runs.
 * Results: a table and `bench/results/read-pool.json` / `.svg`.
 *
 * @example
 * ```sh
 * npm run bench:read-pool -- --rows 200000 --reads 4 --reps 1
 * ```
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { DbPools, DEFAULT_DB_CONFIG, dbPathFor } from '../src/db/index.js';
import { summarizeMetrics } from '../src/generated/index.js';
import { formatSpread, type Spread, spread } from './support/fair-runs.js';
import { wholeNumberFlag } from './support/whole-number-flag.js';
import { writeResults } from './support/write-results.js';

const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv,
  options: { rows: { type: 'string' }, reads: { type: 'string' }, reps: { type: 'string' } },
  strict: true,
});
const rows = wholeNumberFlag('bench:read-pool', values.rows, '--rows', { fallback: 1_000_000, min: 1 });
const reads = wholeNumberFlag('bench:read-pool', values.reads, '--reads', { fallback: 8, min: 1 });
const reps = wholeNumberFlag('bench:read-pool', values.reps, '--reps', { fallback: 3, min: 1 });
const SANDBOXES = 200;

interface Pass {
  readonly readsPerSecond: number;
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
}

const home = mkdtempSync(join(tmpdir(), 'msb-read-pool-'));
try {
  const pools = await DbPools.open(dbPathFor(home));
  process.stderr.write(`bench:read-pool: seeding ${rows} metric rows over ${SANDBOXES} sandboxes\n`);
  await seed(pools, rows);
  // Start the workers and let each open its connection and warm its page cache.
  await Promise.all(Array.from({ length: pools.readPool.size }, () => pools.readPool.run(summarizeMetrics)));
  const expected = summarizeMetrics(pools.read);

  const sync: Pass[] = [];
  const pooled: Pass[] = [];
  for (let rep = 0; rep < reps; rep++) {
    // Alternate which goes first, so drift in the machine's load falls on both.
    for (const kind of rep % 2 === 0 ? (['sync', 'pool'] as const) : (['pool', 'sync'] as const)) {
      await sleep(500);
      let results: unknown[] = [];
      const pass = await measure(async () => {
        if (kind === 'sync') {
          for (let i = 0; i < reads; i++) results.push(summarizeMetrics(pools.read));
        } else {
          results = await Promise.all(
            Array.from({ length: reads }, () => pools.readPool.run(summarizeMetrics)),
          );
        }
      });
      // Both paths must read the same thing (checked outside the measured window): a fast wrong
      // answer is no answer.
      for (const result of results) {
        if (JSON.stringify(result) !== JSON.stringify(expected)) throw new Error(`${kind}: another result`);
      }
      (kind === 'sync' ? sync : pooled).push(pass);
      process.stderr.write(
        `  rep ${rep + 1} ${kind}: ${pass.readsPerSecond} reads/s, event-loop delay p99 ` +
          `${pass.eventLoopDelayP99Ms} ms, max ${pass.eventLoopDelayMaxMs} ms\n`,
      );
    }
  }
  await pools.close();

  const ratios = sync.map((s, i) => pooled[i]!.readsPerSecond / s.readsPerSecond);
  const summary = {
    rows,
    reads,
    reps,
    poolSize: DEFAULT_DB_CONFIG.maxConnections,
    cores: availableParallelism(),
    sync: summarize(sync),
    pool: summarize(pooled),
    poolOverSyncReadsPerSecond: spread(ratios),
  };
  const command = `npm run bench:read-pool${argv.length === 0 ? '' : ` -- ${argv.join(' ')}`}`;
  const line = (label: string, pick: (s: ReturnType<typeof summarize>) => Spread) =>
    `${label.padEnd(34)}${formatSpread(pick(summary.sync)).padStart(26)}${formatSpread(pick(summary.pool)).padStart(26)}`;
  process.stdout.write(
    `\n${command}\n\n${`${rows} rows, ${reads} reads: median [min–max]`.padEnd(34)}${'synchronous'.padStart(26)}${`pool (${summary.poolSize} workers)`.padStart(26)}\n` +
      `${line('reads/s', (s) => s.readsPerSecond)}\n` +
      `${line('main event-loop delay p99 ms', (s) => s.eventLoopDelayP99Ms)}\n` +
      `${line('main event-loop delay max ms', (s) => s.eventLoopDelayMaxMs)}\n` +
      `pool/synchronous reads/s: ${formatSpread(summary.poolOverSyncReadsPerSecond)} on ${summary.cores} cores\n`,
  );
  const written = writeResults('read-pool', command, { summary, sync, pool: pooled }, [
    {
      title: 'reads/s, median',
      unit: '/s',
      bars: [
        { label: 'synchronous', value: summary.sync.readsPerSecond.median },
        { label: 'read pool', value: summary.pool.readsPerSecond.median },
      ],
    },
    {
      title: 'main event-loop delay p99, median',
      unit: 'ms',
      bars: [
        { label: 'synchronous', value: summary.sync.eventLoopDelayP99Ms.median },
        { label: 'read pool', value: summary.pool.eventLoopDelayP99Ms.median },
      ],
    },
  ]);
  process.stdout.write(`\nwrote ${written.json} and ${written.svg}\n`);
} finally {
  rmSync(home, { recursive: true, force: true });
}

async function seed(pools: DbPools, count: number): Promise<void> {
  await pools.write.transaction((tx) => {
    tx.run(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count)
       INSERT INTO sandbox (name, config, status) SELECT 'bench-' || i, '{}', 'Stopped' FROM n`,
      { count: SANDBOXES },
    );
    tx.run(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count)
       INSERT INTO sandbox_metric (sandbox_id, cpu_percent, memory_bytes, disk_read_bytes,
                                   disk_write_bytes, net_rx_bytes, net_tx_bytes, sampled_at)
       SELECT 1 + i % @sandboxes, (i * 7) % 100, i * 4096, i, i, i, i,
              strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || i || ' seconds')
       FROM n`,
      { count, sandboxes: SANDBOXES },
    );
  });
}

/** Runs `work` once and measures the main thread meanwhile. */
async function measure(work: () => Promise<void>): Promise<Pass> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  // The histogram never records its first interval; let it tick before the work starts.
  while (loop.count === 0) await sleep(2);
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  // One more tick, so a synchronous stall at the very end is recorded too.
  await sleep(5);
  loop.disable();
  return {
    readsPerSecond: round(reads / seconds),
    eventLoopDelayP99Ms: round(loop.percentile(99) / 1e6),
    eventLoopDelayMaxMs: round(loop.max / 1e6),
  };
}

function summarize(passes: readonly Pass[]) {
  return {
    readsPerSecond: spread(passes.map((p) => p.readsPerSecond)),
    eventLoopDelayP99Ms: spread(passes.map((p) => p.eventLoopDelayP99Ms)),
    eventLoopDelayMaxMs: spread(passes.map((p) => p.eventLoopDelayMaxMs)),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
