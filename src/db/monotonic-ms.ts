/**
 * Milliseconds (to the microsecond) since an arbitrary fixed moment, never going back: what
 * `performance.now()` gives, for deadlines and elapsed times, without touching `performance`.
 *
 * Why: in Node 20 the first access to the `performance` global loads `perf_hooks` and ten internal
 * modules: 0.7 ms of CPU in a process that has loaded what a runtime loads (1.0–1.6 ms in a bare `node`)
 * on the 2-core machine this project measures on, as this shows:
 *
 *     node -e "require('net'); require('child_process'); const c = process.cpuUsage();
 *       performance.now(); console.log(process.cpuUsage(c))"
 *
 * A runtime starts once per sandbox and reads the clock on its way to `ready` (the connect deadline, the
 * writer's busy budget, the sampler), so that cost was part of every boot. `process.hrtime` is loaded
 * with Node itself.
 *
 * @example
 * ```ts
 * const deadline = monotonicMs() + 5_000;
 * while (monotonicMs() < deadline) await sleep(20);
 * ```
 */
export function monotonicMs(): number {
  // Whole microseconds first: they convert to a Number exactly for 285 years of uptime (nanoseconds
  // only for 104 days).
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}
