import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { DbPools, dbPathFor } from '../../src/db/index.js';
import { buildSandboxConfig } from '../../src/host/build-sandbox-config.js';
import { isPidAlive } from '../../src/host/is-pid-alive.js';
import { BenchRuntimeError } from './bench-runtime-error.js';
import { killGroup } from './kill-group.js';
import { NAIVE_STATS_FILE, type NaiveRuntimeStats } from './naive-runtime-stats.js';
import { NAIVE_SQL } from './naive-sql.js';
import { prepareStormImage, STORM_IMAGE } from './prepare-storm-image.js';
import { countStormRows } from './row-check.js';
import { type BenchRuntime, spawnBenchRuntime } from './spawn-bench-runtime.js';
import type { StormDriver, StormTotals } from './storm-driver.js';
import { STORM_SETTINGS } from './storm-settings.js';

/**
 * The bundled naive runtime (`npm run bench:storm` bundles it with `scripts/bundle-runtime.mjs --bench`).
 *
 * @example
 * ```ts
 * await spawnBenchRuntime(NAIVE_RUNTIME, ['--db', dbPath, '--sandbox', 'storm-1'], { logPath, timeoutMs });
 * ```
 */
export const NAIVE_RUNTIME = fileURLToPath(new URL('../../dist/bench/naive-runtime.js', import.meta.url));

const BUSY_TIMEOUT_MS = 5000;
const POLL_MS = 20;

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
 * The naive port: the same SQL steps on the same schema as the typed host (`createSandbox`,
 * `stopSandbox`), but on one raw better-sqlite3 connection with `db.transaction(fn)` (a deferred
 * `BEGIN`), a blocking `busy_timeout` of 5000 ms and no retry, and the naive runtime per sandbox. A
 * `SQLITE_BUSY` fails the boot or stop it happens in.
 *
 * The schema and the image are set up through `DbPools` before the storm (setup is not measured);
 * that connection is closed before the first boot.
 *
 * @example
 * ```ts
 * const driver = await openNaiveDriver({ home, readyTimeoutMs: 120_000, stopTimeoutMs: 60_000 });
 * ```
 */
export async function openNaiveDriver(options: {
  readonly home: string;
  readonly readyTimeoutMs: number;
  readonly stopTimeoutMs: number;
}): Promise<StormDriver> {
  const { home } = options;
  const dbPath = dbPathFor(home);
  const setup = await DbPools.open(dbPath);
  try {
    await prepareStormImage(setup.write, home);
  } finally {
    await setup.close();
  }
  if (!existsSync(NAIVE_RUNTIME)) {
    throw new Error(
      `${NAIVE_RUNTIME} does not exist: run node scripts/bundle-runtime.mjs --bench (npm run bench:storm does)`,
    );
  }
  const db = new Database(dbPath, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const sql = Object.fromEntries(Object.entries(NAIVE_SQL).map(([k, v]) => [k, db.prepare(v)])) as {
    readonly [K in keyof typeof NAIVE_SQL]: Database.Statement;
  };
  const runtimes = new Map<string, BenchRuntime>();
  const sandboxDir = (name: string): string => join(home, 'sandboxes', name);

  return {
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
          timeoutMs: options.readyTimeoutMs,
        });
        runtimes.set(name, runtime);
      } catch (err) {
        db.transaction(() => sql.markSandboxStoppedIfActive.run({ id: sandbox.id }))();
        throw err;
      }
      return { runtimeBusyRetries: 0 };
    },
    async stop(name) {
      const sandbox = sql.selectSandboxByName.get({ name }) as SandboxRow | undefined;
      if (sandbox === undefined) throw new Error(`sandbox "${name}" does not exist`);
      const run = sql.selectActiveRun.get({ sandbox_id: sandbox.id }) as RunRow | undefined;
      if (run === undefined) throw new Error(`sandbox "${name}" has no active run`);
      process.kill(run.pid, 'SIGTERM');
      const deadline = performance.now() + options.stopTimeoutMs;
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
              termination_detail: `runtime did not stop within ${options.stopTimeoutMs} ms of SIGTERM; killed`,
              exit_code: null,
              exit_signal: 'SIGKILL',
            }),
          )();
          throw new Error(`sandbox "${name}": runtime did not stop within ${options.stopTimeoutMs} ms`);
        }
        await sleep(POLL_MS);
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
    async afterStorm(expected): Promise<StormTotals> {
      return {
        hostBusyRetries: 0,
        runtimeBusyErrors: sumRuntimeBusyErrors(join(home, 'sandboxes')),
        runtimeBusyRetriesLater: 0,
        rows: countStormRows(dbPath, expected),
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
