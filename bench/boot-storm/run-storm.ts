import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { childrenCpuMs } from './children-cpu-ms.js';
import type { ModeResult } from './mode-result.js';
import { percentile } from './percentile.js';
import { trackPhaseStalls } from './phase-stall-tracker.js';
import { measureSpawnBlocking } from './spawn-blocking.js';
import type { StormMode } from './storm-args.js';
import type { StormDriver } from './storm-driver.js';

const MAX_FAILURE_KINDS = 10;
const REAP_GRACE_MS = 500;

/**
 * Runs one storm with `driver` and measures it.
 *
 * 1. Boots `storm-1` … `storm-<count>` all at once and times each boot and the whole phase.
 * 2. Holds `holdSecs` while every runtime samples each second.
 * 3. Stops every booted sandbox at once (SIGTERM; the exit must be recorded).
 * 4. Reads the driver's totals (retries, runtime busy errors, rows), the host's event-loop delay over
 *    the three phases, and groups the failures by message.
 *
 * Nothing is retried here: a failed boot or stop is counted, and a busy one is attributed to the host
 * or the runtime by the driver.
 *
 * @example
 * ```ts
 * const result = await runStorm('typed', driver, { count: 20, holdSecs: 3, log: console.error });
 * ```
 */
export async function runStorm(
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

  const loadBefore = loadavg()[0]!;
  const spawnBlocking = measureSpawnBlocking();
  const cpuBefore = childrenCpuMs();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  // The histogram never records its first interval: let it tick before the storm's first (synchronous)
  // burst of work, or a stall there would go unseen.
  while (loop.count === 0) await sleep(2);
  const stalls = trackPhaseStalls(['boot', 'hold', 'stop'] as const);
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
  log(`${mode}: booted ${booted.length}/${count} in ${bootSeconds.toFixed(2)} s; holding ${holdSecs} s`);

  stalls.enter('hold');
  await sleep(holdSecs * 1000);
  stalls.enter('stop');

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
  log(`${mode}: stopped ${stopped}/${booted.length} in ${stopSeconds.toFixed(2)} s`);

  // The first sample plus one per full second of the hold, but the last: it races the stop, since each
  // interval starts when the previous sample started and a busy commit may push it a little later.
  const totals = await driver.afterStorm({ count, metricsPerSandbox: Math.max(1, holdSecs) });
  // libuv reaps an exited runtime on its SIGCHLD, a moment after the stop saw it dead.
  await sleep(REAP_GRACE_MS);
  const childCpuMs = childrenCpuMs() - cpuBefore;
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
    spawnBlockingMs: spawnBlocking.summary(),
    childCpuMsPerSandbox: round(childCpuMs / Math.max(1, booted.length)),
    rows: totals.rows,
    loadAverage1m: { before: round(loadBefore), after: round(loadavg()[0]!) },
    failures: [...failures.values()],
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
