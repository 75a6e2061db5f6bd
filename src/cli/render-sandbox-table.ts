import { formatBytes } from './format-bytes.js';
import { formatDuration } from './format-duration.js';
import { formatTable } from './format-table.js';
import type { HandleSummary } from './handle-summary.js';

/**
 * The `ls` table of sandbox summaries, shared with `msb fleet`.
 *
 * @example
 * ```ts
 * process.stdout.write(renderSandboxTable(listSandboxes(pools.read).map(summarizeHandle)));
 * ```
 */
export function renderSandboxTable(rows: readonly HandleSummary[]): string {
  return formatTable(
    ['NAME', 'STATUS', 'PID', 'CPU', 'MEMORY', 'UPTIME', 'EXIT', 'COMMAND'],
    rows.map((r) => [
      r.name,
      r.status,
      r.pid === null ? '-' : String(r.pid),
      r.cpuPercent === null ? '-' : `${r.cpuPercent.toFixed(1)}%`,
      r.memoryBytes === null ? '-' : formatBytes(r.memoryBytes),
      r.uptimeMs === null ? '-' : formatDuration(r.uptimeMs),
      exitText(r),
      r.command,
    ]),
  );
}

function exitText(r: HandleSummary): string {
  if (r.exitCode !== null) return String(r.exitCode);
  if (r.exitSignal !== null) return r.exitSignal;
  return r.terminationReason ?? '-';
}
