import { ChildProcess } from 'node:child_process';
import { percentile } from './percentile.js';

/**
 * How long this process's `spawn()` calls blocked it, per call (`ChildProcess.prototype.spawn` is
 * synchronous: libuv forks and then waits until the child has called `exec`, which on a loaded machine
 * waits for the child to be scheduled).
 *
 * @example
 * ```ts
 * const blocking = measureSpawnBlocking();
 * // … spawn runtimes …
 * blocking.summary(); // { calls: 200, p99Ms: 12.1, maxMs: 40.3, totalMs: 900 }
 * blocking.spawnedAt((argv) => argv.includes('storm-7')); // 1234.5 (performance.now() at its end)
 * ```
 */
export interface SpawnBlocking {
  /** `performance.now()` at the end of the first spawn whose argv `matches`, or undefined. */
  spawnedAt(matches: (argv: readonly string[]) => boolean): number | undefined;
  summary(): {
    readonly calls: number;
    readonly p99Ms: number;
    readonly maxMs: number;
    readonly totalMs: number;
  };
}

/**
 * Times every `spawn()` of this process from now on, by wrapping `ChildProcess.prototype.spawn` (the
 * synchronous step every `child_process.spawn` goes through). Behaviour is unchanged: the wrapper calls
 * the original with the same arguments and returns or throws what it does. Bench instrumentation
 * only, to tell the host's stalls in `spawn()` apart from those in SQLite.
 *
 * @example
 * ```ts
 * const blocking = measureSpawnBlocking();
 * ```
 */
export function measureSpawnBlocking(): SpawnBlocking {
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
    spawnedAt(matches) {
      return spawns.find((s) => matches(s.argv))?.end;
    },
    summary() {
      const round = (n: number): number => Math.round(n * 100) / 100;
      return {
        calls: durations.length,
        p99Ms: round(percentile(durations, 99)),
        maxMs: round(percentile(durations, 100)),
        totalMs: round(durations.reduce((a, b) => a + b, 0)),
      };
    },
  };
}
