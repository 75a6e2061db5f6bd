import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { DbPools, type DbWriteConnection, dbPathFor, isSqliteBusy } from '../../src/db/index.js';
import { buildSandboxConfig, createSandbox } from '../../src/host/create-sandbox.js';
import { importOciImage } from '../../src/host/images.js';
import { isPidAlive } from '../../src/host/processes.js';
import { stopRuntimeLauncher } from '../../src/host/runtime-launcher.js';
import { stopSandbox } from '../../src/host/stop-sandbox.js';
import { HostError } from '../../src/sandbox/errors.js';
import { killGroup } from '../../src/sandbox/kill-group.js';
import { REPORT_FD } from '../../src/sandbox/protocol.js';
import { buildOciLayout } from '../../test/support/build-oci-layout.js';
import { childRunning } from '../../test/support/process-helpers.js';
import { openNaiveDatabase } from './open-naive-database.js';
import {
  NAIVE_SQL,
  NAIVE_STATS_FILE,
  type NaiveRuntimeStats,
  STORM_SETTINGS,
  type StormMode,
} from './storm-settings.js';

// `npm run bench:storm` bundles both with `scripts/bundle-runtime.mjs --bench`.
const NAIVE_RUNTIME = fileURLToPath(new URL('../../dist/bench/naive-runtime.cjs', import.meta.url));
const NONE_RUNTIME = fileURLToPath(new URL('../../dist/bench/none-runtime.cjs', import.meta.url));

const NAIVE_STOP_POLL_MS = 20;
/** A line of `runtime.log` that reports a busy database (the sampler's onError, a failed start). */
const BUSY_LOG_LINE = /DbBusyError|DB_BUSY|SQLITE_BUSY/;

/**
 * One way of booting and stopping sandboxes (typed, naive or none), driven by `runStorm`.
 *
 * @example
 * ```ts
 * const driver = await openStormDriver('typed', home);
 * await driver.boot('storm-1');
 * await driver.stop('storm-1');
 * await driver.close();
 * ```
 */
export interface StormDriver {
  /** The database the storm writes, whose rows are checked after it; null for the `none` mode. */
  readonly dbPath: string | null;
  /** Boots one sandbox until its runtime reported ready; resolves with the busy retries it reported. */
  boot(name: string): Promise<{ readonly runtimeBusyRetries: number }>;
  /** Stops one booted sandbox (SIGTERM) until its exit is recorded. */
  stop(name: string): Promise<void>;
  /** Where a failed boot's or stop's `SQLITE_BUSY` came from; null for any other error. */
  busySource(err: unknown): 'host' | 'runtime' | null;
  /**
   * CPU used so far by the host's helper processes (the typed host's launcher), which this process's
   * own CPU time does not include; 0 for hosts without one.
   */
  helperCpuMs(): number;
  /** What is known only after the storm: retries and the busy errors the runtimes met. */
  afterStorm(): Promise<StormTotals>;
  /** Releases the database and kills whatever this driver started that is still alive. */
  close(): Promise<void>;
}

/** How long the typed host's launcher gets to reap its last runtimes (on their SIGCHLD) before it ends. */
const LAUNCHER_REAP_GRACE_MS = 500;

/**
 * What a driver reports after the storm.
 *
 * @example
 * ```ts
 * const totals: StormTotals = { hostBusyRetries: 12, runtimeBusyErrors: 0, runtimeBusyRetriesLater: null, launcherOwnCpuMs: 90 };
 * ```
 */
export interface StormTotals {
  /** Busy retries of the host's writer (null: the mode has no retry or no database). */
  readonly hostBusyRetries: number | null;
  /** `SQLITE_BUSY` errors that reached the runtimes' code, before or after their ready report. */
  readonly runtimeBusyErrors: number;
  /** Busy retries of the runtimes after their ready report, when the mode can tell (else null). */
  readonly runtimeBusyRetriesLater: number | null;
  /**
   * CPU of the typed host's launcher process itself (its spawns), which reaches this process's
   * children's times with the runtimes' once the launcher is reaped: the other hosts spawn on their own
   * CPU, which is not counted, so the run subtracts it. 0 for modes without one.
   */
  readonly launcherOwnCpuMs: number;
}

/**
 * Opens the driver of `mode` on the fresh msb home `home`, with the storm image imported (setup, not
 * measured) and the timeouts of `STORM_SETTINGS`.
 *
 * @example
 * ```ts
 * const driver = await openStormDriver('naive', msbHome());
 * ```
 */
export async function openStormDriver(mode: StormMode, home: string): Promise<StormDriver> {
  switch (mode) {
    case 'typed':
      return openTypedDriver(home);
    case 'naive':
      return openNaiveDriver(home);
    case 'none':
      return openNoneDriver(home);
  }
}

/**
 * The typed design: the real `createSandbox` / `stopSandbox` on a `DbPools` in this process and the
 * real runtime per sandbox. After its ready report a runtime tells the host nothing, so its busy errors
 * are counted from the `runtime.log` files and its later busy retries are not visible (null).
 */
async function openTypedDriver(home: string): Promise<StormDriver> {
  const dbPath = dbPathFor(home);
  const pools = await DbPools.open(dbPath);
  await prepareStormImage(pools.write, home);
  const runtimePids = new Set<number>();
  const launcherCpuMs = (): number => childRunning('launcher-process.cjs')?.ownCpuMs ?? 0;

  return {
    dbPath,
    async boot(name) {
      const { runtime } = await createSandbox(pools, {
        home,
        name,
        image: STORM_IMAGE,
        command: STORM_SETTINGS.workload.command,
        args: STORM_SETTINGS.workload.args,
        metricsIntervalMs: STORM_SETTINGS.metricsIntervalMs,
        readyTimeoutMs: STORM_SETTINGS.readyTimeoutMs,
      });
      runtimePids.add(runtime.runtimePid);
      return { runtimeBusyRetries: runtime.busyRetries };
    },
    async stop(name) {
      const timeoutMs = STORM_SETTINGS.stopTimeoutMs;
      const { run, forced } = await stopSandbox(pools, { name, timeoutMs });
      if (forced) throw new Error(`sandbox "${name}": runtime did not stop within ${timeoutMs} ms`);
      if (run?.exitSignal === null && run.exitCode === null) {
        throw new Error(`sandbox "${name}": run ${run.id} ended without an exit code or signal`);
      }
      if (run !== undefined) runtimePids.delete(run.pid);
    },
    busySource(err) {
      // A runtime's failed report arrives as RUNTIME_START_FAILED with its code in the message.
      if (
        err instanceof HostError &&
        err.code === 'RUNTIME_START_FAILED' &&
        BUSY_LOG_LINE.test(err.message)
      ) {
        return 'runtime';
      }
      return isSqliteBusy(err) ? 'host' : null;
    },
    helperCpuMs: launcherCpuMs,
    async afterStorm() {
      // The launcher ends here so that it, and with it every runtime it reaped, is reaped by this process;
      // first it gets a moment to reap the last runtimes (one it had not would go to init, uncounted).
      await sleep(LAUNCHER_REAP_GRACE_MS);
      const launcherOwnCpuMs = launcherCpuMs();
      await stopRuntimeLauncher();
      return {
        hostBusyRetries: pools.write.stats.busyRetries,
        runtimeBusyErrors: countBusyLogLines(join(home, 'sandboxes')),
        runtimeBusyRetriesLater: null,
        launcherOwnCpuMs,
      };
    },
    async close() {
      for (const pid of runtimePids) killGroup(pid);
      await pools.close();
    },
  };
}

function countBusyLogLines(sandboxesDir: string): number {
  let busy = 0;
  for (const name of readdirSync(sandboxesDir)) {
    let text: string;
    try {
      text = readFileSync(join(sandboxesDir, name, 'runtime.log'), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) if (BUSY_LOG_LINE.test(line)) busy++;
  }
  return busy;
}

interface SandboxRow {
  readonly id: number;
  readonly name: string;
  readonly status: string;
}

interface RunRow {
  readonly id: number;
  readonly pid: number;
  readonly status: string;
}

/**
 * The naive port: the typed host's SQL steps on the same schema, but on one raw better-sqlite3
 * connection with `db.transaction(fn)` (a deferred `BEGIN`), a blocking `busy_timeout` of 5000 ms and no
 * retry, and the naive runtime per sandbox. A `SQLITE_BUSY` fails the boot or stop it happens in. The
 * schema and the image are set up through `DbPools`, closed before the first boot.
 */
async function openNaiveDriver(home: string): Promise<StormDriver> {
  const dbPath = dbPathFor(home);
  const setup = await DbPools.open(dbPath);
  try {
    await prepareStormImage(setup.write, home);
  } finally {
    await setup.close();
  }
  assertBundled(NAIVE_RUNTIME);
  const db = openNaiveDatabase(dbPath);
  db.pragma('journal_mode = WAL');
  const sql = Object.fromEntries(Object.entries(NAIVE_SQL).map(([k, v]) => [k, db.prepare(v)])) as {
    readonly [K in keyof typeof NAIVE_SQL]: Database.Statement;
  };
  const runtimes = new Map<string, BenchRuntime>();
  const sandboxDir = (name: string): string => join(home, 'sandboxes', name);

  return {
    dbPath,
    async boot(name) {
      const image = sql.selectImage.get({ reference: STORM_IMAGE }) as
        | {
            manifest_id: number;
            digest: string;
            env: string | null;
            cmd: string | null;
            working_dir: string | null;
          }
        | undefined;
      if (image === undefined) throw new Error(`image "${STORM_IMAGE}" does not exist`);
      const env: Record<string, string> = {};
      for (const entry of JSON.parse(image.env ?? '[]') as string[]) {
        const eq = entry.indexOf('=');
        if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
      }
      const config = buildSandboxConfig(
        {
          name,
          command: STORM_SETTINGS.workload.command,
          args: STORM_SETTINGS.workload.args,
          metricsIntervalMs: STORM_SETTINGS.metricsIntervalMs,
        },
        {
          reference: STORM_IMAGE,
          digest: image.digest,
          entrypoint: [],
          cmd: JSON.parse(image.cmd ?? '[]') as string[],
          env,
          workingDir: image.working_dir,
        },
      );
      // prepareCreateTarget: refuse an existing sandbox, make an empty directory.
      if (sql.selectSandboxByName.get({ name }) !== undefined)
        throw new Error(`sandbox "${name}" already exists`);
      const dir = sandboxDir(name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const sandbox = db.transaction(
        () => sql.insertSandbox.get({ name, config: JSON.stringify(config) }) as SandboxRow,
      )();
      db.transaction(() => sql.upsertOciManifestPin.get({ sandbox_id: sandbox.id, digest: image.digest }))();
      try {
        const runtime = await spawnBenchRuntime(NAIVE_RUNTIME, ['--db', dbPath, '--sandbox', name], {
          logPath: join(dir, 'runtime.log'),
          timeoutMs: STORM_SETTINGS.readyTimeoutMs,
        });
        runtimes.set(name, runtime);
      } catch (err) {
        db.transaction(() => sql.markSandboxStoppedIfActive.run({ id: sandbox.id }))();
        throw err;
      }
      return { runtimeBusyRetries: 0 };
    },
    async stop(name) {
      const timeoutMs = STORM_SETTINGS.stopTimeoutMs;
      const sandbox = sql.selectSandboxByName.get({ name }) as SandboxRow | undefined;
      if (sandbox === undefined) throw new Error(`sandbox "${name}" does not exist`);
      const run = sql.selectActiveRun.get({ sandbox_id: sandbox.id }) as RunRow | undefined;
      if (run === undefined) throw new Error(`sandbox "${name}" has no active run`);
      process.kill(run.pid, 'SIGTERM');
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const recorded =
          (sql.selectRunById.get({ id: run.id }) as RunRow | undefined)?.status === 'Terminated';
        if (!isPidAlive(run.pid)) {
          if (!recorded) {
            db.transaction(() =>
              sql.terminateActiveRun.run({
                id: run.id,
                termination_reason: 'InternalError',
                termination_detail: `runtime pid ${run.pid} exited after SIGTERM without recording its run`,
                exit_code: null,
                exit_signal: null,
              }),
            )();
          }
          break;
        }
        if (performance.now() >= deadline) {
          killGroup(run.pid);
          db.transaction(() =>
            sql.terminateActiveRun.run({
              id: run.id,
              termination_reason: 'Signal',
              termination_detail: `runtime did not stop within ${timeoutMs} ms of SIGTERM; killed`,
              exit_code: null,
              exit_signal: 'SIGKILL',
            }),
          )();
          throw new Error(`sandbox "${name}": runtime did not stop within ${timeoutMs} ms`);
        }
        await sleep(NAIVE_STOP_POLL_MS);
      }
      db.transaction(() => sql.markSandboxStoppedIfActive.run({ id: sandbox.id }))();
      runtimes.delete(name);
    },
    busySource(err) {
      if (err instanceof BenchRuntimeError)
        return err.reportCode?.startsWith('SQLITE_BUSY') ? 'runtime' : null;
      const code = (err as { code?: unknown } | undefined)?.code;
      return typeof code === 'string' && code.startsWith('SQLITE_BUSY') ? 'host' : null;
    },
    helperCpuMs: () => 0,
    async afterStorm() {
      return {
        hostBusyRetries: 0,
        runtimeBusyErrors: sumRuntimeBusyErrors(join(home, 'sandboxes')),
        runtimeBusyRetriesLater: 0,
        launcherOwnCpuMs: 0,
      };
    },
    async close() {
      for (const runtime of runtimes.values()) killGroup(runtime.runtimePid);
      db.close();
    },
  };
}

function sumRuntimeBusyErrors(sandboxesDir: string): number {
  let busy = 0;
  for (const name of readdirSync(sandboxesDir)) {
    let text: string;
    try {
      text = readFileSync(join(sandboxesDir, name, NAIVE_STATS_FILE), 'utf8');
    } catch {
      continue;
    }
    busy += (JSON.parse(text) as NaiveRuntimeStats).busyErrors;
  }
  return busy;
}

/**
 * No database at all: each boot makes the sandbox directory and starts the none runtime, which starts
 * the workload and reports ready; each stop sends SIGTERM and waits for the runtime's exit (code 0 once
 * its workload is gone). The process-spawn ceiling.
 */
function openNoneDriver(home: string): StormDriver {
  assertBundled(NONE_RUNTIME);
  const runtimes = new Map<string, BenchRuntime>();
  return {
    dbPath: null,
    async boot(name) {
      const dir = join(home, 'sandboxes', name);
      mkdirSync(dir, { recursive: true });
      const runtime = await spawnBenchRuntime(NONE_RUNTIME, ['--dir', dir], {
        logPath: join(dir, 'runtime.log'),
        timeoutMs: STORM_SETTINGS.readyTimeoutMs,
      });
      runtimes.set(name, runtime);
      return { runtimeBusyRetries: 0 };
    },
    async stop(name) {
      const timeoutMs = STORM_SETTINGS.stopTimeoutMs;
      const runtime = runtimes.get(name);
      if (runtime === undefined) throw new Error(`sandbox "${name}" was not booted`);
      process.kill(runtime.runtimePid, 'SIGTERM');
      // A ref'd timer, cancelled once the runtime exits: the unref'd child alone would not keep the
      // event loop alive until its exit event.
      const timeout = new AbortController();
      const outcome = await Promise.race([
        runtime.exited,
        sleep(timeoutMs, 'timeout' as const, { signal: timeout.signal }).catch(() => 'aborted' as const),
      ]);
      timeout.abort();
      if (outcome === 'timeout' || outcome === 'aborted') {
        killGroup(runtime.runtimePid);
        throw new Error(`sandbox "${name}": runtime did not stop within ${timeoutMs} ms`);
      }
      runtimes.delete(name);
      if (outcome.code !== 0) {
        throw new Error(`sandbox "${name}": runtime exited with ${outcome.signal ?? `code ${outcome.code}`}`);
      }
    },
    busySource() {
      return null;
    },
    helperCpuMs: () => 0,
    async afterStorm() {
      return {
        hostBusyRetries: null,
        runtimeBusyErrors: 0,
        runtimeBusyRetriesLater: null,
        launcherOwnCpuMs: 0,
      };
    },
    async close() {
      for (const runtime of runtimes.values()) killGroup(runtime.runtimePid);
    },
  };
}

function assertBundled(script: string): void {
  if (!existsSync(script)) {
    throw new Error(
      `${script} does not exist: run node scripts/bundle-runtime.mjs --bench (npm run bench:storm does)`,
    );
  }
}

/** A naive or none runtime that did not report ready; `reportCode` is its `failed` report's code, if any. */
class BenchRuntimeError extends Error {
  override readonly name = 'BenchRuntimeError';
  readonly code = 'RUNTIME_START_FAILED';
  readonly reportCode: string | null;

  constructor(message: string, reportCode: string | null) {
    super(message);
    this.reportCode = reportCode;
  }
}

interface BenchRuntime {
  readonly runtimePid: number;
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

/**
 * Starts a bundled bench runtime the way `startRuntime` starts the real one (detached into its own
 * process group, stderr appended to `logPath`, fd 3 a pipe) and waits for its ready report; its process
 * group is SIGKILLed after `timeoutMs` or on a report it cannot read.
 */
function spawnBenchRuntime(
  script: string,
  args: readonly string[],
  options: { readonly logPath: string; readonly timeoutMs: number },
): Promise<BenchRuntime> {
  const log = openSync(options.logPath, 'a');
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(process.execPath, [script, ...args], {
      detached: true,
      stdio: ['ignore', 'ignore', log, 'pipe'],
    });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const pipe = child.stdio[REPORT_FD] as Readable;
  return new Promise<BenchRuntime>((resolve, reject) => {
    let text = '';
    let settled = false;
    const fail = (message: string, reportCode: string | null = null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      pipe.destroy();
      reject(new BenchRuntimeError(`runtime ${script} did not start: ${message}`, reportCode));
    };
    const timer = setTimeout(() => {
      killGroup(child.pid);
      fail(`no report within ${options.timeoutMs} ms; killed its process group`);
    }, options.timeoutMs);
    child.once('error', (err) => fail(`cannot spawn: ${err.message}`));
    pipe.setEncoding('utf8');
    pipe.on('data', (chunk: string) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline === -1 || settled) return;
      let report: Record<string, unknown>;
      try {
        report = JSON.parse(text.slice(0, newline)) as Record<string, unknown>;
      } catch {
        killGroup(child.pid);
        fail(`unreadable report ${JSON.stringify(text.slice(0, newline))}`);
        return;
      }
      if (report.type === 'failed') {
        fail(`${String(report.message)} (${String(report.code)})`, String(report.code));
        return;
      }
      const { runtimePid, workloadPid } = report;
      if (report.type !== 'ready' || typeof runtimePid !== 'number' || typeof workloadPid !== 'number') {
        killGroup(child.pid);
        fail(`unexpected report ${JSON.stringify(report)}`);
        return;
      }
      settled = true;
      clearTimeout(timer);
      pipe.destroy();
      child.unref();
      resolve({ runtimePid, exited });
    });
    pipe.once('end', () => fail('it exited without a report'));
    pipe.once('error', (err) => fail(`report pipe failed: ${err.message}`));
  });
}

/**
 * The image every storm sandbox is created from.
 *
 * @example
 * ```ts
 * createSandbox(pools, { home, name, image: STORM_IMAGE, command: 'sleep', args: ['3600'] });
 * ```
 */
export const STORM_IMAGE = 'bench/storm:1';

/**
 * Builds one small OCI layout in `<home>/oci` (real gzip layers, real digests) and imports it as
 * {@link STORM_IMAGE}, once, before a storm: setup, not part of what is measured. Resolves the
 * manifest digest every sandbox then pins.
 *
 * @example
 * ```ts
 * const digest = await prepareStormImage(pools.write, home);
 * ```
 */
export async function prepareStormImage(write: DbWriteConnection, home: string): Promise<string> {
  const layout = buildOciLayout(join(home, 'oci'), { cmd: ['sleep', '3600'] });
  const image = await importOciImage(write, layout.dir, STORM_IMAGE);
  return image.digest;
}
