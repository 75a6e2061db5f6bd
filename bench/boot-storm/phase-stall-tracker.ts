/**
 * The longest event-loop stall of each phase of a storm, from a 1 ms JavaScript interval.
 *
 * `monitorEventLoopDelay` gives the storm-wide numbers; this one only splits the maximum by phase. Its
 * own histogram cannot: a histogram that is enabled or reset does not record its first interval, which
 * is exactly where a phase that starts with a burst of synchronous work (the first spawns, the first
 * stops) would stall.
 *
 * @example
 * ```ts
 * const stalls = trackPhaseStalls(['boot', 'hold', 'stop']);
 * stalls.enter('hold');
 * stalls.stop(); // { boot: 12.5, hold: 0.4, stop: 8.1 }
 * ```
 */
export interface PhaseStallTracker<P extends string> {
  /** From now on, stalls count for `phase` (the gap that spans the switch counts for the new phase). */
  enter(phase: P): void;
  /** Stops the interval and returns the longest stall of each phase, in ms, beyond the 1 ms period. */
  stop(): Record<P, number>;
}

/**
 * Starts tracking in the first of `phases`.
 *
 * @example
 * ```ts
 * const stalls = trackPhaseStalls(['boot', 'hold', 'stop'] as const);
 * ```
 */
export function trackPhaseStalls<P extends string>(phases: readonly [P, ...P[]]): PhaseStallTracker<P> {
  const max = Object.fromEntries(phases.map((p) => [p, 0])) as Record<P, number>;
  let phase: P = phases[0];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    max[phase] = Math.max(max[phase], now - last - 1);
    last = now;
  }, 1);
  return {
    enter(next) {
      phase = next;
    },
    stop() {
      clearInterval(timer);
      const now = performance.now();
      max[phase] = Math.max(max[phase], now - last - 1);
      return Object.fromEntries(phases.map((p) => [p, Math.round(max[p] * 100) / 100])) as Record<P, number>;
    },
  };
}
