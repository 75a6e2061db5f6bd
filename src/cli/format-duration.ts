/**
 * A duration for people, two units at most: `3723000` → `1h2m`, `61000` → `1m1s`, `900` → `0s`.
 *
 * @example
 * ```ts
 * formatDuration(90_000); // '1m30s'
 * ```
 */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${s % 60}s`;
  return `${s}s`;
}
