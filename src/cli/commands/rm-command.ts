import { initGlobal, msbHome } from '../../db/index.js';
import { removeSandbox } from '../../host/stop-sandbox.js';
import type { Command } from '../command.js';
import { forEachName } from '../for-each-name.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { MAX_TIMEOUT_SECS, parsePositiveInt } from '../parse-positive-int.js';
import { requireNames } from '../require-names.js';
import { UsageError } from '../usage-error.js';

/**
 * `msb rm <name>...`: remove sandboxes that are not running.
 *
 * @example
 * ```ts
 * await rmCommand.run(['web'], io);
 * ```
 */
export const rmCommand: Command = {
  name: 'rm',
  summary: 'remove stopped sandboxes (row, runs, metrics and directory)',
  usage: `Usage: msb rm <name>... [--force] [--timeout <seconds>] [--json]

Delete each sandbox (its runs, metrics and image pin go with it) and its directory
$MSB_HOME/sandboxes/<name>. A running sandbox is refused unless --force: then it is stopped first
(SIGTERM, then SIGKILL after the timeout, as msb stop does). A name with no sandbox but a leftover
directory (an interrupted removal or replace) has the directory removed.

Options:
  -f, --force          stop a running sandbox first, then remove it
  --timeout <seconds>  (with --force) seconds to wait before SIGKILL, 1 to 86400 (default 15)
  --json               print a JSON array of the removed names instead of text
  -h, --help           show this help

Exit codes: 0 ok, 1 failure, 3 no such sandbox, 4 sandbox running. Every name is processed; the exit
code is the most severe of their outcomes (1 > 2 > 3 > 4).`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('rm', args, {
      force: { type: 'boolean', short: 'f' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.timeout !== undefined && values.force !== true) {
      throw new UsageError('rm: --timeout only applies with --force', 'rm');
    }
    const stopTimeoutMs =
      values.timeout === undefined
        ? undefined
        : parsePositiveInt('rm', '--timeout', values.timeout, MAX_TIMEOUT_SECS) * 1000;
    const pools = await initGlobal();
    return forEachName('sandbox', requireNames('rm', positionals), io, values.json === true, async (name) => {
      const removed = await removeSandbox(pools, {
        home: msbHome(),
        name,
        force: values.force === true,
        ...(stopTimeoutMs === undefined ? {} : { stopTimeoutMs }),
      });
      return removed === 'sandbox'
        ? { text: `${name}\tremoved`, json: { name, removed: true } }
        : {
            text: `${name}\tremoved its leftover directory (no sandbox of that name)`,
            json: { name, removed: true, leftoverDirectoryOnly: true },
          };
    });
  },
};
