import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The longest event-loop delay of each phase, from a `monitorEventLoopDelay` histogram (1 ms resolution)
 * per phase, starting in the first of `phases`; `enter` switches phase.
 *
 * - Native histograms, not a 1 ms JavaScript interval: on this project's 2-core VM the interval cost a
 *   free loop CPU on top of the histogram the storm keeps anyway, where a second native histogram costs
 *   next to nothing (both wake the loop in the same turn): the storm's "host CPU per s of hold" row went
 *   from 40 to 19 ms when the interval went. Only a free
 *   loop pays that, and in the storm only the typed host's loop is free: the others are blocked in
 *   `spawn()`.
 * - A histogram never records its first interval, so each one is started, and waited for until it has
 *   recorded one, before the previous one stops: a phase that starts with a burst of synchronous work
 *   has its histogram running already, and a stall in the millisecond or two of the switch may count
 *   for both phases.
 * - The values are intervals between ticks, like the storm's whole-run histogram: a loop that never
 *   stalls shows about 1 ms.
 *
 * Shared by the storm's host (`run-mode.ts`) and its idle reference process (`idle-probe.ts`), so both
 * measure a stall the same way.
 *
 * @example
 * ```ts
 * const stalls = await trackPhaseStalls(['boot', 'hold'] as const);
 * await stalls.enter('hold');
 * const { boot, hold } = stalls.stop();
 * ```
 */
export async function trackPhaseStalls<P extends string>(
  phases: readonly [P, ...P[]],
): Promise<PhaseStalls<P>> {
  const max = Object.fromEntries(phases.map((p) => [p, 0])) as Record<P, number>;
  let phase: P = phases[0];
  let histogram = await tickingHistogram();
  const close = (): void => {
    histogram.disable();
    max[phase] = Math.max(max[phase], histogram.max / 1e6);
  };
  return {
    async enter(next) {
      const fresh = await tickingHistogram();
      close();
      phase = next;
      histogram = fresh;
    },
    stop() {
      close();
      return Object.fromEntries(phases.map((p) => [p, Math.round(max[p] * 100) / 100])) as Record<P, number>;
    },
  };
}

/**
 * A running {@link trackPhaseStalls}.
 *
 * @example
 * ```ts
 * const stalls: PhaseStalls<'boot' | 'hold'> = await trackPhaseStalls(['boot', 'hold'] as const);
 * ```
 */
export interface PhaseStalls<P extends string> {
  /** Resolves once `next`'s histogram records (a millisecond or two), the previous phase's then closed. */
  enter(next: P): Promise<void>;
  /** Stops; the longest interval between ticks of each phase, in ms. */
  stop(): Record<P, number>;
}

/** An enabled 1 ms event-loop histogram that has recorded at least one interval. */
async function tickingHistogram(): Promise<IntervalHistogram> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  while (histogram.count === 0) await sleep(1);
  return histogram;
}
