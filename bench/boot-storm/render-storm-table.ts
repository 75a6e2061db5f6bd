import type { ModeResult } from './mode-result.js';
import type { ExpectedFound } from './row-check.js';

/**
 * The storm's results as a plain-text table: one row per measure, one column per mode.
 *
 * @example
 * ```ts
 * process.stdout.write(renderStormTable([typed, naive, none]));
 * ```
 */
export function renderStormTable(results: readonly ModeResult[]): string {
  const dash = '–';
  const num = (n: number | null): string => (n === null || Number.isNaN(n) ? dash : String(n));
  const rows = (pick: (r: ModeResult) => ExpectedFound | undefined) => (r: ModeResult) => {
    const pair = pick(r);
    return pair === undefined ? dash : `${pair.found}/${pair.expected}`;
  };
  const lines: [string, (r: ModeResult) => string][] = [
    ['successes / N', (r) => `${r.successes}/${r.count}`],
    ['sandboxes/s (boot phase)', (r) => num(r.sandboxesPerSecond)],
    ['boot phase s', (r) => num(r.bootSeconds)],
    ['boot median ms', (r) => num(r.bootMs.median)],
    ['boot p99 ms', (r) => num(r.bootMs.p99)],
    ['boot max ms', (r) => num(r.bootMs.max)],
    ['  median: host until spawned ms', (r) => num(r.bootSplitMedianMs.hostUntilSpawned)],
    ['  median: spawned until ready ms', (r) => num(r.bootSplitMedianMs.spawnedUntilReady)],
    ['stopped (exit recorded) / booted', (r) => `${r.stopped}/${r.successes}`],
    ['stop phase s', (r) => num(r.stopSeconds)],
    ['SQLITE_BUSY surfaced: host', (r) => (r.mode === 'none' ? dash : num(r.busySurfaced.host))],
    ['SQLITE_BUSY surfaced: runtimes', (r) => (r.mode === 'none' ? dash : num(r.busySurfaced.runtimes))],
    ['busy retries: host writer', (r) => num(r.busyRetries.host)],
    ['busy retries: runtimes to ready', (r) => num(r.busyRetries.runtimesUntilReady)],
    ['busy retries: runtimes later', (r) => num(r.busyRetries.runtimesLater)],
    ['host event-loop delay p99 ms', (r) => num(r.eventLoopDelayMs.p99)],
    ['host event-loop delay max ms', (r) => num(r.eventLoopDelayMs.max)],
    ['  max in boot/hold/stop ms', (r) => Object.values(r.eventLoopDelayMs.maxByPhase).map(String).join('/')],
    ['host blocked in spawn(): max ms', (r) => num(r.spawnBlockingMs.maxMs)],
    ['host blocked in spawn(): total ms', (r) => num(r.spawnBlockingMs.totalMs)],
    ['CPU per sandbox (runtime + workload) ms', (r) => num(r.childCpuMsPerSandbox)],
    ['load average 1 min before/after', (r) => `${r.loadAverage1m.before}/${r.loadAverage1m.after}`],
    ['rows: sandboxes', rows((r) => r.rows?.sandboxes)],
    ['rows: sandboxes Stopped', rows((r) => r.rows?.stoppedSandboxes)],
    ['rows: runs with recorded exit', rows((r) => r.rows?.runsWithExit)],
    ['rows: metrics (min expected)', rows((r) => r.rows?.metrics)],
    ['rows: sandboxes with ≥ hold-secs samples', rows((r) => r.rows?.sandboxesWithEnoughMetrics)],
    ['rows: rootfs pins', rows((r) => r.rows?.rootfsPins)],
  ];
  const header = ['', ...results.map((r) => r.mode)];
  const body = lines.map(([label, cell]) => [label, ...results.map(cell)]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => (row[i] ?? '').length)));
  const format = (row: readonly string[]): string =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return `${[format(header), ...body.map(format)].join('\n')}\n`;
}
