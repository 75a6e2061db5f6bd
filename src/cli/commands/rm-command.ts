import { initGlobal, msbHome } from '../../db/index.js';
import { removeSandbox } from '../../host/stop-sandbox.js';
import type { Command } from '../command.js';
import { forEachName } from '../for-each-name.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { requireNames } from '../require-names.js';

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
  usage: `Usage: msb rm <name>...

Delete each sandbox (its runs, metrics and image pin go with it) and its directory
$MSB_HOME/sandboxes/<name>. A running sandbox is refused: stop or kill it first.

Options:
  -h, --help  show this help

Exit codes: 0 ok, 1 failure, 3 no such sandbox, 4 sandbox running. Every name is processed; the exit
code is the most severe of their outcomes (1 > 2 > 3 > 4).`,
  async run(args, io) {
    const { positionals } = parseCommandArgs('rm', args, {});
    const pools = await initGlobal();
    return forEachName(requireNames('rm', positionals), io, async (name) => {
      await removeSandbox(pools, { home: msbHome(), name });
      io.out(`${name}\tremoved\n`);
    });
  },
};
