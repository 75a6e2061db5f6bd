import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A median with its spread over repetitions.
 *
 * @example
 * ```ts
 * const s: Spread = { median: 1.02, min: 0.97, max: 1.08, n: 3 };
 * ```
 */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/**
 * The median (mean of the middle two for an even count), minimum and maximum of `values`; NaN for none.
 *
 * @example
 * ```ts
 * spread([3, 1, 2]); // { median: 2, min: 1, max: 3, n: 3 }
 * ```
 */
export function spread(values: readonly number[]): Spread {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median: round(median), min: round(sorted[0]!), max: round(sorted[n - 1]!), n };
}

/**
 * `median [min–max]`, or `–` when there is nothing to show.
 *
 * @example
 * ```ts
 * formatSpread(spread([0.97, 1.02, 1.08])); // '1.02 [0.97–1.08]'
 * ```
 */
export function formatSpread(s: Spread): string {
  if (s.n === 0) return '–';
  return s.n === 1 || s.min === s.max ? String(s.median) : `${s.median} [${s.min}–${s.max}]`;
}

/**
 * The order of the modes in repetition `rep` (0-based): rotated by one each time, so every mode runs
 * first, second and last equally often and no mode always inherits the previous one's heat.
 *
 * @example
 * ```ts
 * rotated(['typed', 'naive', 'none'], 1); // ['naive', 'none', 'typed']
 * ```
 */
export function rotated<T>(modes: readonly T[], rep: number): T[] {
  const k = rep % Math.max(1, modes.length);
  return [...modes.slice(k), ...modes.slice(0, k)];
}

/**
 * How long the machine took to settle before a run, and how busy it still was.
 *
 * @example
 * ```ts
 * const settled: Settled = { waitedMs: 4200, busy: 0.06 };
 * ```
 */
export interface Settled {
  readonly waitedMs: number;
  /** Fraction of all cores busy over the last window (0..1). */
  readonly busy: number;
}

/**
 * Waits until the whole machine (all cores, every process, from `/proc/stat`) was at most `maxBusy`
 * busy over a `windowMs` window, or `maxWaitMs` passed; the previous run's processes must be gone
 * first (that is the caller's job). The load average is no use here: it decays over minutes.
 *
 * @example
 * ```ts
 * const { waitedMs, busy } = await settleMachine();
 * ```
 */
export async function settleMachine(
  options: { readonly maxBusy?: number; readonly windowMs?: number; readonly maxWaitMs?: number } = {},
): Promise<Settled> {
  const { maxBusy = 0.15, windowMs = 1000, maxWaitMs = 60_000 } = options;
  const started = performance.now();
  let before = cpuTimes();
  for (;;) {
    await sleep(windowMs);
    const after = cpuTimes();
    const total = after.total - before.total;
    const busy = total > 0 ? 1 - (after.idle - before.idle) / total : 0;
    const waitedMs = performance.now() - started;
    if (busy <= maxBusy || waitedMs >= maxWaitMs) return { waitedMs: round(waitedMs), busy: round(busy) };
    before = after;
  }
}

function cpuTimes(): { readonly idle: number; readonly total: number } {
  // Steal counts as busy here: time another machine took is time a run would not get.
  const { busy, idle, steal } = machineCpuTicks();
  return { idle, total: busy + idle + steal };
}

/**
 * The machine's CPU time since boot in clock ticks, summed over its CPUs, from the first line of
 * `/proc/stat` ("cpu  user nice system idle iowait irq softirq steal …"): busy (user, nice, system,
 * irq, softirq), idle (idle, iowait), and steal (time the hypervisor gave another machine).
 *
 * @example
 * ```ts
 * const before = machineCpuTicks();
 * await work();
 * const busyTicks = machineCpuTicks().busy - before.busy;
 * ```
 */
export function machineCpuTicks(): { readonly busy: number; readonly idle: number; readonly steal: number } {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n', 1)[0]!
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  return { busy: user! + nice! + system! + irq! + softirq!, idle: idle! + iowait!, steal: steal! };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
