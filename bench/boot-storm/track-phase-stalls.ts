/**
 * The longest event-loop stall of each phase, from a 1 ms JavaScript interval, starting in the first of
 * `phases`; `enter` switches phase (the gap spanning the switch counts for the new one). Not a
 * `monitorEventLoopDelay` histogram per phase: one that is enabled or reset does not record its first
 * interval, which is exactly where a phase starting with a burst of synchronous work would stall.
 * Shared by the storm's host (`run-mode.ts`) and its idle reference process (`idle-probe.ts`), so both
 * measure a stall the same way.
 *
 * @example
 * ```ts
 * const stalls = trackPhaseStalls(['boot', 'hold'] as const);
 * stalls.enter('hold');
 * const { boot, hold } = stalls.stop();
 * ```
 */
export function trackPhaseStalls<P extends string>(phases: readonly [P, ...P[]]) {
  const max = Object.fromEntries(phases.map((p) => [p, 0])) as Record<P, number>;
  let phase: P = phases[0];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    max[phase] = Math.max(max[phase], now - last - 1);
    last = now;
  }, 1);
  return {
    enter(next: P): void {
      phase = next;
    },
    /** Stops the interval; the longest stall of each phase in ms, beyond the 1 ms period. */
    stop(): Record<P, number> {
      clearInterval(timer);
      const now = performance.now();
      max[phase] = Math.max(max[phase], now - last - 1);
      return Object.fromEntries(phases.map((p) => [p, Math.round(max[p] * 100) / 100])) as Record<P, number>;
    },
  };
}
