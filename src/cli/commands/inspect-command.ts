import { initGlobal } from '../../db/index.js';
import { inspectSandbox } from '../../host/lookup.js';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { MAX_LIMIT, parsePositiveInt } from '../parse-positive-int.js';
import { requireNames } from '../require-names.js';
import { onSubject } from '../subject-error.js';
import { terminalSafeJson } from '../terminal-safe.js';
import { UsageError } from '../usage-error.js';

/**
 * `msb inspect <name>`: the sandbox's record, config, runs and recent samples as JSON.
 *
 * @example
 * ```ts
 * await inspectCommand.run(['web'], io);
 * ```
 */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'show a sandbox in full (config, runs, recent metrics) as JSON',
  usage: `Usage: msb inspect <name> [--limit <n>] [--json]

Print the sandbox's record and config, its live runtime pid, its last runs and metric samples
(newest first) as JSON.

Options:
  --limit <n>  how many runs and samples to show, 1 to 10000 (default 10)
  --json       accepted for symmetry: the output is always JSON
  -h, --help   show this help

Exit codes: 0 ok, 3 no such sandbox.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('inspect', args, {
      limit: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [name, extra] = requireNames('inspect', positionals);
    if (extra !== undefined) throw new UsageError(`inspect: unexpected argument "${extra}"`, 'inspect');
    const limit =
      values.limit === undefined ? 10 : parsePositiveInt('inspect', '--limit', values.limit, MAX_LIMIT);
    const pools = await initGlobal();
    const { handle, runs, metrics } = await onSubject('sandbox', name!, () =>
      inspectSandbox(pools.read, name!, limit),
    );
    const out = { ...handle.record, pid: handle.pid, uptimeMs: handle.uptimeMs, runs, metrics };
    io.out(`${terminalSafeJson(out)}\n`);
    return 0;
  },
};
