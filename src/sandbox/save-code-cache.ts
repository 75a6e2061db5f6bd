/**
 * Asks the loader that started this process (`scripts/code-cache-loader.cjs`, the entry of every
 * bundled runtime and of the host's launcher) to write its V8 code cache now, if it found none it could
 * use. A process calls it once its start path has run (a runtime: ready reported, first sample stored;
 * the launcher: its first start settled): the cache then holds what every later start compiles, before
 * V8 flushes the bytecode of functions that ran only at start, as it does in a process that lives
 * long. A no-op in a process the loader did not start (tests, tsx).
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

/**
 * Tells the loader not to write the code cache as this process exits with code 0, its fallback for a
 * process that never called {@link saveCodeCache}: for one that may exit having run only its top level
 * (a launcher whose host never started anything), whose cache would then be accepted by every later
 * start and never replaced.
 *
 * @example
 * ```ts
 * skipCodeCacheAtExit();
 * process.on('message', serve);
 * ```
 */
export function skipCodeCacheAtExit(): void {
  (globalThis as Record<symbol, unknown>)[NO_SAVE_AT_EXIT] = true;
}

/** The loader's hooks, by registry symbols: the loader is plain CommonJS and shares no module with this one. */
const SAVE = Symbol.for('msb.codeCache.save');
const NO_SAVE_AT_EXIT = Symbol.for('msb.codeCache.noSaveAtExit');
