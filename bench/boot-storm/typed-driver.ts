import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DbPools, dbPathFor, isSqliteBusy } from '../../src/db/index.js';
import { createSandbox } from '../../src/host/create-sandbox.js';
import { HostError } from '../../src/host/host-error.js';
import { stopSandbox } from '../../src/host/stop-sandbox.js';
import { killGroup } from './kill-group.js';
import { prepareStormImage, STORM_IMAGE } from './prepare-storm-image.js';
import { countStormRows } from './row-check.js';
import type { StormDriver, StormTotals } from './storm-driver.js';
import { STORM_SETTINGS } from './storm-settings.js';

/** A line of `runtime.log` that reports a busy database (the sampler's onError, a failed start). */
const BUSY_LOG_LINE = /DbBusyError|DB_BUSY|SQLITE_BUSY/;

/**
 * The typed design: the real host functions (`createSandbox`, `stopSandbox`) on a `DbPools` in this
 * process, the real runtime `dist/runtime/main.js` per sandbox, the image imported once and pinned by
 * every sandbox.
 *
 * Runtime busy errors are counted from the runtimes' own logs (`runtime.log`), since after its ready
 * report a runtime tells the host nothing; their later busy retries are not visible (null).
 *
 * @example
 * ```ts
 * const driver = await openTypedDriver({ home, readyTimeoutMs: 120_000, stopTimeoutMs: 60_000 });
 * ```
 */
export async function openTypedDriver(options: {
  readonly home: string;
  readonly readyTimeoutMs: number;
  readonly stopTimeoutMs: number;
}): Promise<StormDriver> {
  const { home } = options;
  const dbPath = dbPathFor(home);
  const pools = await DbPools.open(dbPath);
  await prepareStormImage(pools.write, home);
  const runtimePids = new Set<number>();

  return {
    async boot(name) {
      const { runtime } = await createSandbox(pools, {
        home,
        name,
        image: STORM_IMAGE,
        command: STORM_SETTINGS.workload.command,
        args: STORM_SETTINGS.workload.args,
        metricsIntervalMs: STORM_SETTINGS.metricsIntervalMs,
        readyTimeoutMs: options.readyTimeoutMs,
      });
      runtimePids.add(runtime.runtimePid);
      return { runtimeBusyRetries: runtime.busyRetries };
    },
    async stop(name) {
      const { run, forced } = await stopSandbox(pools, { name, timeoutMs: options.stopTimeoutMs });
      if (forced)
        throw new Error(`sandbox "${name}": runtime did not stop within ${options.stopTimeoutMs} ms`);
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
    async afterStorm(expected): Promise<StormTotals> {
      return {
        hostBusyRetries: pools.write.stats.busyRetries,
        runtimeBusyErrors: countBusyLogLines(join(home, 'sandboxes')),
        runtimeBusyRetriesLater: null,
        rows: countStormRows(dbPath, expected),
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
