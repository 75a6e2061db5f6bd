// Call overhead: each generated function against the same statement hand-written on a cached
// better-sqlite3 prepared statement, measured side by side in one process and reported as ratios.
//
//   npm run bench:calls [-- --rounds 15]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { DbPools, loadMigrations } from '../src/db/index.js';
import {
  insertRuntimeMetric,
  listMetricsOfSandbox,
  selectSandboxByName,
  selectSandboxes,
  setSandboxStatus,
} from '../src/generated/index.js';
import { getLegacy, listLegacy } from '../test/fixtures/codegen/non-strict-affinity/expected/legacy.js';
import { type Panel, writeResults } from './support/write-results.js';

interface Case {
  readonly name: string;
  /** Operations per timed batch. */
  readonly ops: number;
  readonly generated: () => unknown;
  readonly handWritten: () => unknown;
}

interface Outcome {
  readonly name: string;
  readonly generatedNsPerOp: number;
  readonly handWrittenNsPerOp: number;
  readonly ratio: number;
}

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 3)
  throw new RangeError(`--rounds must be a whole number >= 3, got ${values.rounds}`);

const dir = mkdtempSync(join(tmpdir(), 'msb-bench-calls-'));
const path = join(dir, 'db', 'msb.db');
const pools = await DbPools.open(path);
const hand = new Database(path);
hand.pragma('synchronous = NORMAL');
// A table that is not STRICT (msb's own are), whose generated mapper checks every typed value.
const legacyPath = join(dir, 'legacy', 'legacy.db');
const legacyPools = await DbPools.open(legacyPath, {
  migrations: loadMigrations(
    join(import.meta.dirname, '../test/fixtures/codegen/non-strict-affinity/schema'),
  ),
});
const legacyHand = new Database(legacyPath);

try {
  await seed();
  const cases = buildCases();
  const outcomes: Outcome[] = [];
  for (const c of cases) outcomes.push(await measure(c));
  printTable(outcomes);
  const panel: Panel = {
    title: 'generated / hand-written time per call (1.00 = no overhead)',
    unit: '×',
    bars: outcomes.map((o) => ({ label: o.name, value: o.ratio })),
  };
  const written = writeResults(
    'call-overhead',
    `npm run bench:calls -- --rounds ${rounds}`,
    { rounds, outcomes },
    [panel],
  );
  console.log(`\nwrote ${written.json} and ${written.svg}`);
} finally {
  hand.close();
  legacyHand.close();
  await pools.close();
  await legacyPools.close();
  rmSync(dir, { recursive: true, force: true });
}

async function seed(): Promise<void> {
  await legacyPools.write.transaction((tx) => {
    for (let i = 1; i <= 100; i++) {
      tx.run(
        `INSERT INTO legacy (id, code, amount, label, payload, misc) VALUES (@id, @code, @amount, @label, @payload, @misc)`,
        {
          id: i,
          code: `c-${i}`,
          amount: i / 4,
          label: i % 2 === 0 ? null : `l-${i}`,
          payload: null,
          misc: i,
        },
      );
    }
  });
  await pools.write.transaction((tx) => {
    for (let i = 0; i < 100; i++) {
      tx.run(`INSERT INTO sandbox (name, config, status) VALUES (@name, '{}', 'Running')`, {
        name: `sb-${i}`,
      });
    }
    for (let i = 0; i < 500; i++) {
      insertRuntimeMetric(tx, {
        sandboxId: 1,
        cpuPercent: i / 10,
        memoryBytes: 1_000_000 + i,
        diskReadBytes: i,
        diskWriteBytes: i,
        netRxBytes: i,
        netTxBytes: i,
      });
    }
  });
}

function buildCases(): Case[] {
  const byName = hand.prepare('SELECT * FROM sandbox WHERE name = @name');
  const all = hand.prepare('SELECT * FROM sandbox ORDER BY name');
  const metrics = hand.prepare(
    'SELECT * FROM sandbox_metric WHERE sandbox_id = @sandbox_id ORDER BY sampled_at DESC, id DESC LIMIT @limit',
  );
  const insertMetric = hand.prepare(
    `INSERT INTO sandbox_metric (sandbox_id, cpu_percent, memory_bytes, disk_read_bytes, disk_write_bytes, net_rx_bytes, net_tx_bytes)
     VALUES (@sandbox_id, @cpu_percent, @memory_bytes, @disk_read_bytes, @disk_write_bytes, @net_rx_bytes, @net_tx_bytes)`,
  );
  const setStatus = hand.prepare(
    `UPDATE sandbox SET status = @status, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = @id`,
  );
  // Wrapped once, as a hand-written caller would keep it.
  const setStatusTx = hand.transaction((params: { id: number; status: string }) => setStatus.run(params));
  const metric = {
    sandboxId: 2,
    cpuPercent: 1.5,
    memoryBytes: 1,
    diskReadBytes: 2,
    diskWriteBytes: 3,
    netRxBytes: 4,
    netTxBytes: 5,
  };
  const metricRaw = {
    sandbox_id: 2,
    cpu_percent: 1.5,
    memory_bytes: 1,
    disk_read_bytes: 2,
    disk_write_bytes: 3,
    net_rx_bytes: 4,
    net_tx_bytes: 5,
  };
  const legacyById = legacyHand.prepare('SELECT * FROM legacy WHERE id = @id');
  const legacyAll = legacyHand.prepare('SELECT id, code, amount, label, payload, misc FROM legacy');
  const read = pools.read;
  return [
    {
      name: ':one read by unique key',
      ops: 20_000,
      generated: () => selectSandboxByName(read, { name: 'sb-42' }),
      handWritten: () => byName.get({ name: 'sb-42' }),
    },
    {
      name: ':many read, 100 rows',
      ops: 500,
      generated: () => selectSandboxes(read),
      handWritten: () => all.all(),
    },
    {
      name: ':many read, 100 metric rows',
      ops: 500,
      generated: () => listMetricsOfSandbox(read, { sandboxId: 1, limit: 100 }),
      handWritten: () => metrics.all({ sandbox_id: 1, limit: 100 }),
    },
    {
      name: ':one checked read (not STRICT)',
      ops: 20_000,
      generated: () => getLegacy(legacyPools.read, { id: 42 }),
      handWritten: () => legacyById.get({ id: 42 }),
    },
    {
      name: ':many checked read, 100 rows (not STRICT)',
      ops: 500,
      generated: () => listLegacy(legacyPools.read),
      handWritten: () => legacyAll.all(),
    },
    {
      name: ':exec inside a transaction (1000 inserts)',
      ops: 1,
      generated: () =>
        pools.write.transaction((tx) => {
          for (let i = 0; i < 1000; i++) insertRuntimeMetric(tx, metric);
        }),
      handWritten: () =>
        hand
          .transaction(() => {
            for (let i = 0; i < 1000; i++) insertMetric.run(metricRaw);
          })
          .immediate(),
    },
    {
      name: ':execrows as its own transaction',
      ops: 500,
      generated: () => setSandboxStatus(pools.write, { id: 3, status: 'Stopped' }),
      handWritten: () => setStatusTx.immediate({ id: 3, status: 'Stopped' }),
    },
    {
      // The same write against the same statement, awaited as the generated call's promise is: what is
      // left over the line above is the promise, which the writer's contract requires (a call may
      // have to wait for a busy lock), not the work of the typed layer.
      name: ':execrows as its own transaction, hand-written awaited too',
      ops: 500,
      generated: () => setSandboxStatus(pools.write, { id: 3, status: 'Stopped' }),
      handWritten: () => Promise.resolve(setStatusTx.immediate({ id: 3, status: 'Stopped' })),
    },
  ];
}

async function measure(c: Case): Promise<Outcome> {
  // Warm both paths (statement caches, JIT), then alternate which side goes first in each round so
  // drift in machine load falls on both equally.
  await batch(c.generated, c.ops);
  await batch(c.handWritten, c.ops);
  const generated: number[] = [];
  const handWritten: number[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      generated.push(await batch(c.generated, c.ops));
      handWritten.push(await batch(c.handWritten, c.ops));
    } else {
      handWritten.push(await batch(c.handWritten, c.ops));
      generated.push(await batch(c.generated, c.ops));
    }
  }
  const g = median(generated);
  const h = median(handWritten);
  return { name: c.name, generatedNsPerOp: g, handWrittenNsPerOp: h, ratio: g / h };
}

async function batch(fn: () => unknown, ops: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) {
    const result = fn();
    // Writes through DbWriteConnection return promises; awaiting each keeps one call in flight, like
    // a caller that needs the result.
    if (result instanceof Promise) await result;
  }
  return Number(process.hrtime.bigint() - start) / ops;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function printTable(outcomes: readonly Outcome[]): void {
  const rows = outcomes.map((o) => [
    o.name,
    formatNs(o.generatedNsPerOp),
    formatNs(o.handWrittenNsPerOp),
    `${o.ratio.toFixed(2)}×`,
  ]);
  const header = ['case', 'generated', 'hand-written', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

function formatNs(ns: number): string {
  return ns >= 1_000_000 ? `${(ns / 1_000_000).toFixed(2)} ms` : `${(ns / 1000).toFixed(2)} µs`;
}
