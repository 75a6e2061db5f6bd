import { initGlobal } from '../../db/index.js';
import { listSandboxes } from '../../host/lookup.js';
import type { Command } from '../command.js';
import { summarizeHandle } from '../handle-summary.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { renderSandboxTable } from '../render-sandbox-table.js';
import { UsageError } from '../usage-error.js';

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
