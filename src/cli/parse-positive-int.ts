import { UsageError } from './usage-error.js';

/** Upper bound of every `--timeout <seconds>` (create, start, stop, rm): one day. */
export const MAX_TIMEOUT_SECS = 86_400;
/** Bounds of `create --metrics-interval <ms>`: the runtime's floor (10 ms) to one hour. */
export const MIN_METRICS_INTERVAL_MS = 10;
export const MAX_METRICS_INTERVAL_MS = 3_600_000;
/** Upper bound of `inspect`/`metrics --limit`. */
export const MAX_LIMIT = 10_000;
/** Upper bound of `volume create --quota <MiB>`: one PiB. */
export const MAX_QUOTA_MIB = 1_073_741_824;
/** Upper bound of `fleet --count`. */
export const MAX_FLEET_COUNT = 1_000;

/**
 * Parses an option value as a whole number from `min` (default 1) to `max`, or throws a
 * {@link UsageError} naming the option and the range. Every numeric option has a documented upper
 * bound: a value past Node's timer limit (2^31-1 ms) would otherwise fire at once.
 *
 * @example
 * ```ts
 * parsePositiveInt('fleet', '--count', '20', MAX_FLEET_COUNT); // 20
 * ```
 */
export function parsePositiveInt(
  command: string,
  option: string,
  text: string,
  max: number,
  min = 1,
): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(
      `${command}: ${option} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`,
      command,
    );
  }
  return value;
}
