import { initGlobal } from '../../db/index.js';
import { listSandboxes } from '../../host/lookup.js';
import { isActiveStatus } from '../../host/records.js';
import type { Command } from '../command.js';
import { summarizeHandle } from '../handle-summary.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { renderSandboxTable } from '../render-sandbox-table.js';
import { terminalSafe, terminalSafeJson } from '../terminal-safe.js';
import { UsageError } from '../usage-error.js';

/** `msb ls`: every sandbox with its status, runtime pid, CPU, memory, uptime and last exit. */
export const lsCommand: Command = {
  name: 'ls',
  summary: 'list sandboxes with status, pid, CPU, memory and uptime',
  usage: `Usage: msb ls [--running | --stopped] [-q] [--json]

List every sandbox: NAME, STATUS (Running, Draining, Paused, Stopped, Crashed), PID of its runtime,
CPU and MEMORY of the newest metric sample (while running), UPTIME, EXIT (exit code, signal or
termination reason of the last run) and COMMAND.

Options:
  --running    only sandboxes whose runtime is supervising them (Running, Draining)
  --stopped    only the others (Stopped, Crashed, Paused)
  -q, --quiet  print only the names, one per line
  --json       print a JSON array instead of the table
  -h, --help   show this help`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('ls', args, {
      running: { type: 'boolean' },
      stopped: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      json: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`ls: unexpected argument "${positionals[0]}"`, 'ls');
    if (values.running === true && values.stopped === true) {
      throw new UsageError('ls: --running and --stopped exclude each other', 'ls');
    }
    if (values.quiet === true && values.json === true) {
      throw new UsageError('ls: -q and --json exclude each other', 'ls');
    }
    const pools = await initGlobal();
    const handles = listSandboxes(pools.read).filter(
      (h) =>
        (values.running !== true || isActiveStatus(h.record.status)) &&
        (values.stopped !== true || !isActiveStatus(h.record.status)),
    );
    if (values.quiet === true) {
      io.out(handles.map((h) => `${terminalSafe(h.record.name)}\n`).join(''));
      return 0;
    }
    const rows = handles.map(summarizeHandle);
    io.out(values.json === true ? `${terminalSafeJson(rows)}\n` : renderSandboxTable(rows));
    return 0;
  },
};
