/**
 * One mode's storm, in a process of its own: `node --import tsx bench/boot-storm/run-mode.ts --mode
 * <typed|naive|none> --count <n> --hold-secs <s> --out <file>` with `MSB_HOME` set to a fresh temp dir.
 * Started by `main.ts`; writes its {@link ModeResult} as JSON to `--out`, progress to stderr.
 *
 * Exit codes: 0 the storm ran (its failures are in the result), 1 it could not run, 130/143 stopped by
 * a signal. Whatever it started is killed before it exits.
 *
 * @example
 * ```sh
 * MSB_HOME=$(mktemp -d) node --import tsx bench/boot-storm/run-mode.ts --mode typed --count 20 --hold-secs 3 --out r.json
 * ```
 */
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { msbHome } from '../../src/db/index.js';
import { CLOCK_TICKS_PER_SECOND } from '../../src/runtime/read-proc-stats.js';
import { machineCpuTicks } from '../support/fair-runs.js';
import { openStormDriver, type StormDriver } from './drivers.js';
import type { IdleProbeResult } from './idle-probe.js';
import { parseStormArgs, type StormMode } from './storm-settings.js';
import { trackPhaseStalls } from './track-phase-stalls.js';

/**
 * What one mode's storm measured, written by its child process and read by `main.ts`.
 *
 * @example
 * ```ts
 * const line = `${result.mode}: ${result.successes}/${result.count} at ${result.sandboxesPerSecond}/s`;
 * ```
 */
export interface ModeResult {
  readonly mode: StormMode;
  readonly count: number;
  readonly holdSecs: number;
  /** Boots that reported ready. */
  readonly successes: number;
  /** Booted sandboxes whose stop completed with the exit recorded. */
  readonly stopped: number;
  /** From the first boot call until every boot settled. */
  readonly bootSeconds: number;
  readonly sandboxesPerSecond: number;
  /** Per successful boot, from the storm's start (every boot is requested at once) until ready. */
  readonly bootMs: { readonly median: number; readonly p99: number; readonly max: number };
  /**
   * Medians of a boot's two parts: from the storm's start until its runtime was spawned (the host's
   * prepare, insert, pin, queueing, the spawn call itself), then until its ready report arrived.
   */
  readonly bootSplitMedianMs: { readonly hostUntilSpawned: number; readonly spawnedUntilReady: number };
  readonly stopSeconds: number;
  readonly busySurfaced: {
    /** Host calls (boot or stop) that failed with a busy error of the host's own. */
    readonly host: number;
    /** Busy errors that reached the runtimes' code (failed starts, lost samples, lost exit records). */
    readonly runtimes: number;
  };
  readonly busyRetries: {
    readonly host: number | null;
    /** Sum of the runtimes' retries up to their ready reports. */
    readonly runtimesUntilReady: number | null;
    readonly runtimesLater: number | null;
  };
  /** `monitorEventLoopDelay` (1 ms resolution, primed before the storm) of the host over boot, hold and stop. */
  readonly eventLoopDelayMs: {
    readonly p99: number;
    readonly max: number;
    /** The longest interval of each phase, from a 1 ms histogram per phase (`trackPhaseStalls`). */
    readonly maxByPhase: { readonly boot: number; readonly hold: number; readonly stop: number };
  };
  /**
   * The same measures in an idle process of the host's session during the same storm
   * (`idle-probe.ts`): the stalls the machine imposes on any process, the floor under the host's.
   */
  readonly idleProcessDelayMs: IdleProbeResult;
  /** How long the host's synchronous `spawn()` calls blocked it (fork, then wait for the child's exec). */
  readonly spawnBlockingMs: {
    readonly calls: number;
    readonly p99Ms: number;
    readonly maxMs: number;
    readonly totalMs: number;
  };
  /** CPU (user + system) of the reaped runtimes and their workloads, per booted sandbox. */
  readonly childCpuMsPerSandbox: number;
  /**
   * CPU of this process (the host) over the boot phase, per booted sandbox. It includes the storm's own
   * 1 ms timers (the event-loop histograms of `trackPhaseStalls` and of the whole run), which run only
   * while the host's loop is free: most of the boot phase for the typed host, little of it for hosts
   * blocked in `spawn()`. `hostHoldCpuMsPerSecond` is what they cost a host doing nothing else.
   */
  readonly hostBootCpuMsPerSandbox: number;
  /** CPU of the typed host's launcher process over the boot phase (its start-up and spawns); 0 for the others. */
  readonly launcherBootCpuMsPerSandbox: number;
  /** CPU of this process per second of the hold, when it runs only the storm's own timers. */
  readonly hostHoldCpuMsPerSecond: number;
  /**
   * The whole machine over the boot phase (`/proc/stat`): the share of its CPU time that was busy, the
   * share the hypervisor gave other machines (steal), and the busy CPU time per booted sandbox. On a
   * machine the storm keeps busy, with no steal, this is the inverse of the rate: sandboxes/s =
   * cores × 1000 / `cpuMsPerBoot`. It does not say whose CPU it was.
   */
  readonly machineBoot: {
    readonly busyFraction: number;
    readonly stealFraction: number;
    readonly cpuMsPerBoot: number;
  };
  readonly rows: RowCheck | null;
  /** The machine's 1-minute load average before and after the storm (it is shared with other work). */
  readonly loadAverage1m: { readonly before: number; readonly after: number };
  /** Distinct failure messages (at most ten), with how often each happened. */
  readonly failures: readonly {
    readonly phase: 'boot' | 'stop';
    readonly message: string;
    readonly count: number;
  }[];
}

/**
 * Rows expected vs found after a storm, one pair per kind.
 *
 * @example
 * ```ts
 * const ok = Object.values(rows).every(({ expected, found }) => found >= expected);
 * ```
 */
export interface RowCheck {
  readonly sandboxes: ExpectedFound;
  readonly stoppedSandboxes: ExpectedFound;
  /** Runs Terminated with an exit code or signal recorded. */
  readonly runsWithExit: ExpectedFound;
  /** Metric rows in total (expected: the minimum, `metricsPerSandbox` for every sandbox). */
  readonly metrics: ExpectedFound;
  /** Sandboxes that have at least the expected number of samples. */
  readonly sandboxesWithEnoughMetrics: ExpectedFound;
  /** `sandbox_rootfs` rows pinned to a stored manifest. */
  readonly rootfsPins: ExpectedFound;
}

interface ExpectedFound {
  readonly expected: number;
  readonly found: number;
}

const IDLE_PROBE = fileURLToPath(new URL('./idle-probe.ts', import.meta.url));
const PROBE_START_TIMEOUT_MS = 30_000;
const MAX_FAILURE_KINDS = 10;
const REAP_GRACE_MS = 500;

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    count: { type: 'string' },
    'hold-secs': { type: 'string' },
    out: { type: 'string' },
  },
  strict: true,
});
const args = parseStormArgs([
  ...(values.count === undefined ? [] : ['--count', values.count]),
  ...(values['hold-secs'] === undefined ? [] : ['--hold-secs', values['hold-secs']]),
  ...(values.mode === undefined ? [] : ['--modes', values.mode]),
]);
const mode = args.modes.length === 1 ? args.modes[0] : undefined;
const count = args.counts.length === 1 ? args.counts[0] : undefined;
if (mode === undefined || count === undefined || values.out === undefined) {
  process.stderr.write('run-mode: --mode <one mode>, --count <n> and --out <file> are required\n');
  process.exit(1);
}
const out = values.out;

let driver: StormDriver | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void (driver?.close() ?? Promise.resolve()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

let exitCode = 0;
try {
  driver = await openStormDriver(mode, msbHome());
  const result = await runStorm(mode, driver, {
    count,
    holdSecs: args.holdSecs,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
} catch (err) {
  process.stderr.write(
    `run-mode ${mode}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  exitCode = 1;
} finally {
  await driver?.close();
}
process.exit(exitCode);

/**
 * Runs one storm with `driver` and measures it.
 *
 * 1. Boots `storm-1` … `storm-<count>` all at once and times each boot and the whole phase.
 * 2. Holds `holdSecs` while every runtime samples each second.
 * 3. Stops every booted sandbox at once (SIGTERM; the exit must be recorded).
 * 4. Reads the driver's totals, the rows, the host's event-loop delay over the three phases, and groups
 *    the failures by message.
 *
 * Nothing is retried here: a failed boot or stop is counted, and a busy one is attributed to the host
 * or the runtime by the driver.
 */
async function runStorm(
  mode: StormMode,
  driver: StormDriver,
  options: { readonly count: number; readonly holdSecs: number; readonly log: (line: string) => void },
): Promise<ModeResult> {
  const { count, holdSecs, log } = options;
  const names = Array.from({ length: count }, (_, i) => `storm-${i + 1}`);
  const failures = new Map<string, { phase: 'boot' | 'stop'; message: string; count: number }>();
  let hostBusy = 0;
  const fail = (phase: 'boot' | 'stop', err: unknown): void => {
    if (driver.busySource(err) === 'host') hostBusy++;
    // Sandbox names and pids differ per failure; the rest of the message is the kind.
    const message = (err instanceof Error ? `${err.name}: ${err.message}` : String(err))
      .replace(/storm-\d+/g, 'storm-N')
      .replace(/\d{3,}/g, 'N');
    const key = `${phase} ${message}`;
    const seen = failures.get(key);
    if (seen !== undefined) seen.count++;
    else if (failures.size < MAX_FAILURE_KINDS) failures.set(key, { phase, message, count: 1 });
  };

  // Before spawn() is timed: the probe is not part of the storm.
  const probe = await startIdleProbe();
  const loadBefore = loadavg()[0]!;
  const spawnBlocking = measureSpawnBlocking();
  const cpuBefore = childrenCpuMs();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  // The histogram never records its first interval: let it tick before the storm's first (synchronous)
  // burst of work, or a stall there would go unseen.
  while (loop.count === 0) await sleep(2);
  const stalls = await trackPhaseStalls(['boot', 'hold', 'stop'] as const);
  // The boot phase's CPU windows open together, just before its clock starts.
  const helperCpuBefore = driver.helperCpuMs();
  const machineBefore = machineCpuTicks();
  const hostCpuBefore = process.cpuUsage();
  const bootStart = performance.now();
  const bootMs: number[] = [];
  const hostBeforeSpawnMs: number[] = [];
  const spawnToReadyMs: number[] = [];
  const booted: string[] = [];
  let runtimesUntilReady = 0;
  await Promise.all(
    names.map(async (name) => {
      try {
        const { runtimeBusyRetries } = await driver.boot(name);
        const ready = performance.now();
        // From the storm's start, not from this call: a host that blocks its event loop (spawn, a busy
        // wait) delays the later calls themselves, and a caller asking at t0 waits for that too.
        bootMs.push(ready - bootStart);
        // The runtime's argv names the sandbox (`--sandbox storm-7`) or its directory (`…/storm-7`).
        const spawned = spawnBlocking.spawnedAt((argv) =>
          argv.some((a) => a === name || a.endsWith(`/${name}`)),
        );
        if (spawned !== undefined) {
          hostBeforeSpawnMs.push(spawned - bootStart);
          spawnToReadyMs.push(ready - spawned);
        }
        booted.push(name);
        runtimesUntilReady += runtimeBusyRetries;
      } catch (err) {
        fail('boot', err);
      }
    }),
  );
  const bootSeconds = (performance.now() - bootStart) / 1000;
  const machineAfter = machineCpuTicks();
  const hostBootCpuMs = cpuMs(process.cpuUsage(hostCpuBefore));
  const launcherBootCpuMs = driver.helperCpuMs() - helperCpuBefore;
  const machine = {
    busy: machineAfter.busy - machineBefore.busy,
    idle: machineAfter.idle - machineBefore.idle,
    steal: machineAfter.steal - machineBefore.steal,
  };
  log(`${mode}: booted ${booted.length}/${count} in ${bootSeconds.toFixed(2)} s; holding ${holdSecs} s`);

  await stalls.enter('hold');
  probe.enter('hold');
  const holdCpuBefore = process.cpuUsage();
  const holdStart = performance.now();
  await sleep(holdSecs * 1000);
  const hostHoldCpuMsPerSecond =
    cpuMs(process.cpuUsage(holdCpuBefore)) / ((performance.now() - holdStart) / 1000);
  await stalls.enter('stop');
  probe.enter('stop');

  const stopStart = performance.now();
  let stopped = 0;
  await Promise.all(
    booted.map(async (name) => {
      try {
        await driver.stop(name);
        stopped++;
      } catch (err) {
        fail('stop', err);
      }
    }),
  );
  const stopSeconds = (performance.now() - stopStart) / 1000;
  loop.disable();
  const maxByPhase = stalls.stop();
  const idleProcessDelayMs = await probe.end();
  log(`${mode}: stopped ${stopped}/${booted.length} in ${stopSeconds.toFixed(2)} s`);

  const totals = await driver.afterStorm();
  // The first sample plus one per full second of the hold, but the last: it races the stop, since each
  // interval starts when the previous sample started and a busy commit may push it a little later.
  const rows =
    driver.dbPath === null
      ? null
      : countStormRows(driver.dbPath, { count, metricsPerSandbox: Math.max(1, holdSecs) });
  // libuv reaps an exited runtime on its SIGCHLD, a moment after the stop saw it dead.
  await sleep(REAP_GRACE_MS);
  const childCpuMs = childrenCpuMs() - cpuBefore - totals.launcherOwnCpuMs;
  await probe.close();
  return {
    mode,
    count,
    holdSecs,
    successes: booted.length,
    stopped,
    bootSeconds: round(bootSeconds),
    sandboxesPerSecond: round(booted.length / bootSeconds),
    bootMs: {
      median: round(percentile(bootMs, 50)),
      p99: round(percentile(bootMs, 99)),
      max: round(percentile(bootMs, 100)),
    },
    bootSplitMedianMs: {
      hostUntilSpawned: round(percentile(hostBeforeSpawnMs, 50)),
      spawnedUntilReady: round(percentile(spawnToReadyMs, 50)),
    },
    stopSeconds: round(stopSeconds),
    busySurfaced: { host: hostBusy, runtimes: totals.runtimeBusyErrors },
    busyRetries: {
      host: totals.hostBusyRetries,
      runtimesUntilReady: mode === 'none' ? null : runtimesUntilReady,
      runtimesLater: totals.runtimeBusyRetriesLater,
    },
    eventLoopDelayMs: {
      p99: round(loop.percentile(99) / 1e6),
      max: round(loop.max / 1e6),
      maxByPhase,
    },
    idleProcessDelayMs,
    spawnBlockingMs: spawnBlocking.summary(),
    childCpuMsPerSandbox: round(childCpuMs / Math.max(1, booted.length)),
    hostBootCpuMsPerSandbox: round(hostBootCpuMs / Math.max(1, booted.length)),
    launcherBootCpuMsPerSandbox: round(launcherBootCpuMs / Math.max(1, booted.length)),
    hostHoldCpuMsPerSecond: round(hostHoldCpuMsPerSecond),
    machineBoot: {
      busyFraction: round(machine.busy / Math.max(1, machine.busy + machine.idle)),
      stealFraction: round(machine.steal / Math.max(1, machine.busy + machine.idle + machine.steal)),
      cpuMsPerBoot: round(((machine.busy / CLOCK_TICKS_PER_SECOND) * 1000) / Math.max(1, booted.length)),
    },
    rows,
    loadAverage1m: { before: round(loadBefore), after: round(loadavg()[0]!) },
    failures: [...failures.values()],
  };
}

/** Counts the storm's rows through a read-only connection of its own, once every runtime is stopped. */
function countStormRows(
  dbPath: string,
  expected: { readonly count: number; readonly metricsPerSandbox: number },
): RowCheck {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const count = (sql: string, params: Record<string, number> = {}): number =>
      db.prepare(sql).pluck().get(params) as number;
    const n = expected.count;
    return {
      sandboxes: { expected: n, found: count('SELECT count(*) FROM sandbox') },
      stoppedSandboxes: {
        expected: n,
        found: count("SELECT count(*) FROM sandbox WHERE status = 'Stopped'"),
      },
      runsWithExit: {
        expected: n,
        found: count(
          `SELECT count(*) FROM run WHERE status = 'Terminated'
             AND (exit_code IS NOT NULL OR exit_signal IS NOT NULL)`,
        ),
      },
      metrics: {
        expected: n * expected.metricsPerSandbox,
        found: count('SELECT count(*) FROM sandbox_metric'),
      },
      sandboxesWithEnoughMetrics: {
        expected: n,
        found: count(
          `SELECT count(*) FROM (
             SELECT sandbox_id FROM sandbox_metric GROUP BY sandbox_id HAVING count(*) >= @min
           )`,
          { min: expected.metricsPerSandbox },
        ),
      },
      rootfsPins: {
        expected: n,
        found: count('SELECT count(*) FROM sandbox_rootfs WHERE manifest_id IS NOT NULL'),
      },
    };
  } finally {
    db.close();
  }
}

/**
 * Starts `idle-probe.ts` in this process's session (not detached: the kernel's autogroup is the host's)
 * with this process's Node flags (the host's V8 flags, the tsx loader), and waits until it ticks. `end`
 * resolves with its result; `close` lets it exit, which must come after the storm's children's CPU is
 * read, or the probe's would be counted in it.
 */
async function startIdleProbe() {
  const child = spawn(process.execPath, [...process.execArgv, IDLE_PROBE], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // A probe that died must fail its reads below, not crash this process on an unhandled EPIPE.
  child.stdin!.on('error', () => {});
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timeout = setTimeout(() => child.kill('SIGKILL'), PROBE_START_TIMEOUT_MS);
  const first = await lines.next();
  clearTimeout(timeout);
  if (first.done === true || first.value !== 'ready') {
    child.kill('SIGKILL');
    throw new Error(`idle-probe.ts did not start (it printed ${JSON.stringify(first.value)})`);
  }
  return {
    enter(phase: 'hold' | 'stop'): void {
      child.stdin!.write(`${phase}\n`);
    },
    async end(): Promise<IdleProbeResult> {
      child.stdin!.write('end\n');
      const line = await lines.next();
      if (line.done === true) throw new Error('idle-probe.ts ended without its result');
      return JSON.parse(line.value as string) as IdleProbeResult;
    },
    close(): Promise<void> {
      child.stdin!.end();
      return exited;
    },
  };
}

/**
 * Times every `spawn()` of this process from now on by wrapping `ChildProcess.prototype.spawn`, which is
 * synchronous (libuv forks, then waits until the child has exec'd, which on a loaded machine waits for
 * it to be scheduled): this tells the host's stalls in `spawn()` apart from those in SQLite. The wrapper
 * returns or throws what the original does.
 */
function measureSpawnBlocking() {
  const durations: number[] = [];
  const spawns: { readonly end: number; readonly argv: readonly string[] }[] = [];
  // An internal method of Node's ChildProcess (every child_process.spawn goes through it), so it is not
  // in @types/node: reached through a structural view, and checked at run time.
  const proto = ChildProcess.prototype as unknown as {
    spawn: (this: ChildProcess, ...args: unknown[]) => unknown;
  };
  const original = proto.spawn;
  if (typeof original !== 'function') throw new TypeError('ChildProcess.prototype.spawn is not a function');
  proto.spawn = function timedSpawn(this: ChildProcess, ...args: unknown[]): unknown {
    const start = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      const end = performance.now();
      durations.push(end - start);
      const argv = (args[0] as { args?: unknown } | undefined)?.args;
      spawns.push({ end, argv: Array.isArray(argv) ? argv.map(String) : [] });
    }
  };
  return {
    /** `performance.now()` at the end of the first spawn whose argv `matches`, or undefined. */
    spawnedAt(matches: (argv: readonly string[]) => boolean): number | undefined {
      return spawns.find((s) => matches(s.argv))?.end;
    },
    summary(): ModeResult['spawnBlockingMs'] {
      return {
        calls: durations.length,
        p99Ms: round(percentile(durations, 99)),
        maxMs: round(percentile(durations, 100)),
        totalMs: round(durations.reduce((a, b) => a + b, 0)),
      };
    },
  };
}

/**
 * CPU ms (user + system) of this process's reaped children and their reaped descendants: `cutime +
 * cstime` of `/proc/self/stat`. After a storm that is every runtime and its workload.
 */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the parenthesised command name start at field 3 (state); cutime and cstime are 16, 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[16 - 3]) + Number(fields[17 - 3]);
  return (ticks / CLOCK_TICKS_PER_SECOND) * 1000;
}

/** User + system CPU of a `process.cpuUsage()` reading, in ms. */
function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

/** The nearest-rank percentile `p` (0–100) of `values` (NaN when there are none). */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
