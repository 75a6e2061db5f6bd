import { initGlobal } from '../../db/index.js';
import { listSandboxes } from '../../host/list-sandboxes.js';
import type { Command } from '../command.js';
import { formatBytes } from '../format-bytes.js';
import { formatDuration } from '../format-duration.js';
import { formatTable } from '../format-table.js';
import { type HandleSummary, summarizeHandle } from '../handle-summary.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { UsageError } from '../usage-error.js';

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

/**
 * `msb ls`: every sandbox with its status, runtime pid, CPU, memory, uptime and last exit.
 *
 * @example
 * ```ts
 * await lsCommand.run(['--json'], io);
 * ```
 */
export const lsCommand: Command = {
  name: 'ls',
  summary: 'list sandboxes with status, pid, CPU, memory and uptime',
  usage: `Usage: msb ls [--json]

List every sandbox: NAME, STATUS (Running, Draining, Paused, Stopped, Crashed), PID of its runtime,
CPU and MEMORY of the newest metric sample (while running), UPTIME, EXIT (exit code, signal or
termination reason of the last run) and COMMAND.

Options:
  --json      print a JSON array instead of the table
  -h, --help  show this help`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('ls', args, { json: { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError(`ls: unexpected argument "${positionals[0]}"`, 'ls');
    const pools = await initGlobal();
    const rows = listSandboxes(pools.read).map(summarizeHandle);
    io.out(values.json === true ? `${JSON.stringify(rows, null, 2)}\n` : renderSandboxTable(rows));
    return 0;
  },
};
