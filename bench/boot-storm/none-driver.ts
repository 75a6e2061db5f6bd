import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { killGroup } from './kill-group.js';
import { type BenchRuntime, spawnBenchRuntime } from './spawn-bench-runtime.js';
import type { StormDriver, StormTotals } from './storm-driver.js';

/**
 * The compiled runtime of the `none` mode (`npm run bench:storm` compiles it).
 *
 * @example
 * ```ts
 * await spawnBenchRuntime(NONE_RUNTIME, ['--dir', sandboxDir], { logPath, timeoutMs });
 * ```
 */
export const NONE_RUNTIME = fileURLToPath(new URL('../../dist/bench/none-runtime.js', import.meta.url));

/**
 * No database at all: each boot makes the sandbox directory and starts the `none` runtime, which
 * starts `sleep 3600` and reports ready; each stop sends SIGTERM and waits for the runtime's exit
 * (code 0 once its workload is gone). The process-spawn ceiling.
 *
 * @example
 * ```ts
 * const driver = openNoneDriver({ home, readyTimeoutMs: 120_000, stopTimeoutMs: 60_000 });
 * ```
 */
export function openNoneDriver(options: {
  readonly home: string;
  readonly readyTimeoutMs: number;
  readonly stopTimeoutMs: number;
}): StormDriver {
  if (!existsSync(NONE_RUNTIME)) {
    throw new Error(
      `${NONE_RUNTIME} does not exist: run node scripts/bundle-runtime.mjs --bench (npm run bench:storm does)`,
    );
  }
  const runtimes = new Map<string, BenchRuntime>();
  return {
    async boot(name) {
      const dir = join(options.home, 'sandboxes', name);
      mkdirSync(dir, { recursive: true });
      const runtime = await spawnBenchRuntime(NONE_RUNTIME, ['--dir', dir], {
        logPath: join(dir, 'runtime.log'),
        timeoutMs: options.readyTimeoutMs,
      });
      runtimes.set(name, runtime);
      return { runtimeBusyRetries: 0 };
    },
    async stop(name) {
      const runtime = runtimes.get(name);
      if (runtime === undefined) throw new Error(`sandbox "${name}" was not booted`);
      process.kill(runtime.runtimePid, 'SIGTERM');
      // A ref'd timer, cancelled once the runtime exits: the unref'd child alone would not keep the
      // event loop alive until its exit event.
      const timeout = new AbortController();
      const outcome = await Promise.race([
        runtime.exited,
        sleep(options.stopTimeoutMs, 'timeout' as const, { signal: timeout.signal }).catch(
          () => 'aborted' as const,
        ),
      ]);
      timeout.abort();
      if (outcome === 'timeout' || outcome === 'aborted') {
        killGroup(runtime.runtimePid);
        throw new Error(`sandbox "${name}": runtime did not stop within ${options.stopTimeoutMs} ms`);
      }
      runtimes.delete(name);
      if (outcome.code !== 0) {
        throw new Error(`sandbox "${name}": runtime exited with ${outcome.signal ?? `code ${outcome.code}`}`);
      }
    },
    busySource() {
      return null;
    },
    async afterStorm(): Promise<StormTotals> {
      return { hostBusyRetries: null, runtimeBusyErrors: 0, runtimeBusyRetriesLater: null, rows: null };
    },
    async close() {
      for (const runtime of runtimes.values()) killGroup(runtime.runtimePid);
    },
  };
}
