/**
 * Asks the loader that started this process (`scripts/code-cache-loader.cjs`, the entry of every
 * bundled runtime) to write its V8 code cache now, if it found none it could use. A runtime calls it
 * once its start path has run (ready reported, first sample stored): the cache then holds what every
 * later start compiles, before V8 flushes the bytecode of functions that ran only at start, as it does
 * in a runtime that lives long. A no-op in a process the loader did not start (tests, tsx).
 *
 * @example
 * ```ts
 * reportToHost({ type: 'ready', runId, runtimePid: process.pid, workloadPid, busyRetries: 0 });
 * saveCodeCache();
 * ```
 */
export function saveCodeCache(): void {
  const save = (globalThis as Record<symbol, unknown>)[SAVE];
  if (typeof save === 'function') save();
}

/** The loader's hook, by a registry symbol: the loader is plain CommonJS and shares no module with this one. */
const SAVE = Symbol.for('msb.codeCache.save');
