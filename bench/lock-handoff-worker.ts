/**
 * One process of the lock-handoff benchmark (`bench/lock-handoff.ts`), bundled to
 * `dist/bench/lock-handoff-worker.js`: `node dist/bench/lock-handoff-worker.js --mode wait|fifo|fifo-lease
 * --db <path> --id <sandbox id> --samples <n> [--socket <path>]`.
 *
 * It opens one raw better-sqlite3 connection (`busy_timeout` 5000 ms), prepares the naive port's runtime
 * statements, prints `ready` and waits for `go` on stdin. Then it writes what a booting runtime writes,
 * each step in its own `BEGIN IMMEDIATE … COMMIT`: its run row (and the sandbox marked Running), a first
 * sample, `--samples` more, one after the other. Only how a transaction gets the write lock differs:
 *
 * - `wait`: `BEGIN IMMEDIATE` waits inside SQLite (its busy handler sleeps 1, 2, 5, … up to 100 ms
 *   between polls of the lock). Both designs wait this way: the typed runtime's `BEGIN IMMEDIATE`, and
 *   the naive port's first write in a deferred transaction, which takes the lock the same way. A worker
 *   that waits past the 5 s `busy_timeout` fails the run (none did at 200).
 * - `fifo`: first a token from `lock-handoff-server.ts` over a unix socket (one token, granted in
 *   arrival order), given back after each `COMMIT`.
 * - `fifo-lease`: the same, but the token is given back only once this process has no transaction
 *   ready to run (on `setImmediate` after a `COMMIT`), so a burst pays one handoff.
 *
 * Every transaction is timed on `process.hrtime` (CLOCK_MONOTONIC, one clock for every process of the
 * machine): asked, lock acquired (`BEGIN` returned), committed. It also counts the main thread's
 * involuntary context switches (preemptions, from `/proc/self/status`) after the barrier. It prints one
 * {@link LockHandoffWorkerReport} JSON line and exits.
 *
 * @example
 * ```sh
 * echo go | node dist/bench/lock-handoff-worker.js --mode wait --db "$H/db/msb.db" --id 1 --samples 10
 * ```
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { openNaiveDatabase } from './boot-storm/open-naive-database.js';
import { NAIVE_SQL } from './boot-storm/storm-settings.js';

/**
 * What a worker did: per transaction `[asked, acquired, committed]` in ms of `process.hrtime`, the run row
 * first and the first sample second, and the CPU it spent after the barrier.
 *
 * @example
 * ```ts
 * const r: LockHandoffWorkerReport = { transactions: [[1, 2, 2.1]], cpuMs: 3, preemptions: 4 };
 * ```
 */
export interface LockHandoffWorkerReport {
  readonly transactions: readonly (readonly [number, number, number])[];
  readonly cpuMs: number;
  /** Involuntary context switches of the main thread after the barrier. */
  readonly preemptions: number;
}

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    db: { type: 'string' },
    id: { type: 'string' },
    samples: { type: 'string' },
    socket: { type: 'string' },
  },
  strict: true,
});
const { mode, db: dbPath, socket: socketPath } = values;
const id = Number(values.id);
const samples = Number(values.samples ?? '10');
if (
  (mode !== 'wait' && mode !== 'fifo' && mode !== 'fifo-lease') ||
  dbPath === undefined ||
  !Number.isSafeInteger(id) ||
  (mode !== 'wait' && socketPath === undefined)
) {
  process.stderr.write(
    'lock-handoff-worker: --mode wait|fifo|fifo-lease --db --id [--socket] are required\n',
  );
  process.exit(2);
}

const db = openNaiveDatabase(dbPath);
const sql = {
  insertRuntimeRun: db.prepare(NAIVE_SQL.insertRuntimeRun),
  markRuntimeSandboxRunning: db.prepare(NAIVE_SQL.markRuntimeSandboxRunning),
  insertRuntimeMetric: db.prepare(NAIVE_SQL.insertRuntimeMetric),
};
const begin = db.prepare('BEGIN IMMEDIATE');
const commit = db.prepare('COMMIT');
const token = mode === 'wait' ? undefined : await tokenClient(socketPath!, mode === 'fifo-lease');

const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const transactions: [number, number, number][] = [];
async function transaction<T>(body: () => T): Promise<T> {
  const asked = now();
  await token?.acquire();
  try {
    begin.run();
    const acquired = now();
    let value: T;
    try {
      value = body();
      commit.run();
    } catch (err) {
      if (db.inTransaction) db.prepare('ROLLBACK').run();
      throw err;
    }
    transactions.push([asked, acquired, now()]);
    return value;
  } finally {
    token?.release();
  }
}

process.stdout.write('ready\n');
await new Promise<void>((resolve) =>
  createInterface({ input: process.stdin }).on('line', (line) => line === 'go' && resolve()),
);
const cpuAtGo = process.cpuUsage();
const preemptedAtGo = preemptions();
const metric = {
  run_id: 0,
  cpu_percent: 1.5,
  memory_bytes: 4_194_304,
  disk_read_bytes: 0,
  disk_write_bytes: 4096,
  net_rx_bytes: 0,
  net_tx_bytes: 0,
};
metric.run_id = await transaction(() => {
  const runId = Number(sql.insertRuntimeRun.run({ sandbox_id: id, pid: process.pid }).lastInsertRowid);
  sql.markRuntimeSandboxRunning.run({ id });
  return runId;
});
for (let i = 0; i <= samples; i++) await transaction(() => sql.insertRuntimeMetric.run(metric));
await token?.close();
const used = process.cpuUsage(cpuAtGo);
const report: LockHandoffWorkerReport = {
  transactions,
  cpuMs: (used.user + used.system) / 1000,
  preemptions: preemptions() - preemptedAtGo,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
db.close();
process.exit(0);

/** `nonvoluntary_ctxt_switches` of this process's main thread, the one that runs SQLite. */
function preemptions(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/^nonvoluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1] ?? Number.NaN);
}

/**
 * The client side of `lock-handoff-server.ts`'s protocol: `a` asks, `g` grants, `r` gives back. With
 * `lease`, a give-back waits for `setImmediate`, and an acquire meanwhile keeps the token.
 */
async function tokenClient(path: string, lease: boolean) {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect(path, () => resolve(s));
    s.once('error', reject);
  });
  socket.setNoDelay(true);
  let granted: (() => void) | undefined;
  socket.on('data', (chunk) => {
    for (const byte of chunk.toString('latin1')) {
      if (byte !== 'g' || granted === undefined) continue;
      const resolve = granted;
      granted = undefined;
      resolve();
    }
  });
  let holding = false;
  let inUse = false;
  const giveBack = (): void => {
    if (!holding || inUse) return;
    holding = false;
    socket.write('r');
  };
  return {
    acquire(): Promise<void> {
      inUse = true;
      if (holding) return Promise.resolve();
      return new Promise<void>((resolve) => {
        granted = () => {
          holding = true;
          resolve();
        };
        socket.write('a');
      });
    },
    release(): void {
      inUse = false;
      if (lease) setImmediate(giveBack);
      else giveBack();
    },
    close(): Promise<void> {
      inUse = false;
      giveBack();
      return new Promise<void>((resolve) => socket.end(resolve));
    },
  };
}
