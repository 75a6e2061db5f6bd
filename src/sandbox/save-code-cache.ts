/**
 * Asks the loader that started this process (`scripts/code-cache-loader.cjs`, the entry of every
 * bundled runtime and of the host's launcher) to write its V8 code cache now, if it found none it could
 * use. The loader never writes one unasked: a process calls this once its start path has run (a
 * runtime: ready reported, first sample stored; the launcher: its first start settled), so the cache
 * holds what every later start compiles, before V8 flushes the bytecode of functions that ran only at
 * start, as it does in a process that lives long. A no-op in a process the loader did not start.
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
