import { initGlobal } from '../../db/index.js';
import { metricsForSandbox } from '../../host/lookup.js';
import { loadSandboxRecord } from '../../host/reconcile.js';
import { HostError } from '../../sandbox/errors.js';
import type { Command } from '../command.js';
import { formatBytes } from '../format-bytes.js';
import { formatTable } from '../format-table.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { MAX_LIMIT, parsePositiveInt } from '../parse-positive-int.js';
import { requireNames } from '../require-names.js';
import { onSubject } from '../subject-error.js';
import { terminalSafeJson } from '../terminal-safe.js';
import { UsageError } from '../usage-error.js';

/**
 * `msb metrics <name>`: the sandbox's newest metric samples.
 *
 * @example
 * ```ts
 * await metricsCommand.run(['web', '--limit', '5', '--json'], io);
 * ```
 */
export const metricsCommand: Command = {
  name: 'metrics',
  summary: "show a sandbox's recent CPU, memory, disk and network samples",
  usage: `Usage: msb metrics <name> [--limit <n>] [--json]

Print the newest metric samples of a sandbox (newest first), as the runtime sampled them from /proc.

Options:
  --limit <n>  how many samples, 1 to 10000 (default 10)
  --json       print a JSON array instead of the table
  -h, --help   show this help

Exit codes: 0 ok, 3 no such sandbox.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('metrics', args, {
      limit: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [name, extra] = requireNames('metrics', positionals);
    if (extra !== undefined) throw new UsageError(`metrics: unexpected argument "${extra}"`, 'metrics');
    const limit =
      values.limit === undefined ? 10 : parsePositiveInt('metrics', '--limit', values.limit, MAX_LIMIT);
    const pools = await initGlobal();
    const samples = await onSubject('sandbox', name!, () => {
      const record = loadSandboxRecord(pools.read, name!);
      if (record === undefined) throw new HostError('SANDBOX_NOT_FOUND', `sandbox "${name}" does not exist`);
      return metricsForSandbox(pools.read, record.id, limit);
    });
    if (values.json === true) {
      io.out(`${terminalSafeJson(samples)}\n`);
      return 0;
    }
    io.out(
      formatTable(
        ['SAMPLED AT', 'CPU', 'MEMORY', 'DISK READ', 'DISK WRITE', 'NET RX', 'NET TX'],
        samples.map((s) => [
          s.sampledAt,
          `${s.cpuPercent.toFixed(1)}%`,
          formatBytes(s.memoryBytes),
          formatBytes(s.diskReadBytes),
          formatBytes(s.diskWriteBytes),
          formatBytes(s.netRxBytes),
          formatBytes(s.netTxBytes),
        ]),
      ),
    );
    return 0;
  },
};
