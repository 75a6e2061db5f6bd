import { initGlobal } from '../../db/index.js';
import { killSandbox } from '../../host/stop-sandbox.js';
import type { Command } from '../command.js';
import { forEachName } from '../for-each-name.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { requireNames } from '../require-names.js';

/**
 * `msb kill <name>...`: SIGKILL each sandbox's runtime process group and record it.
 *
 * @example
 * ```ts
 * await killCommand.run(['web'], io);
 * ```
 */
export const killCommand: Command = {
  name: 'kill',
  summary: 'kill running sandboxes at once (SIGKILL to the runtime and workload)',
  usage: `Usage: msb kill <name>... [--json]

Send SIGKILL to each sandbox's runtime process group (runtime and workload), confirm the runtime is
dead, then record the run as Terminated/Signal and the sandbox as Stopped.

Options:
  --json      print a JSON array of the recorded runs instead of text
  -h, --help  show this help

Exit codes: 0 ok, 1 the process survived SIGKILL, 3 no such sandbox, 4 sandbox not running. Every
name is processed; the exit code is the most severe of their outcomes (1 > 2 > 3 > 4).`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('kill', args, { json: { type: 'boolean' } });
    const pools = await initGlobal();
    return forEachName(
      'sandbox',
      requireNames('kill', positionals),
      io,
      values.json === true,
      async (name) => {
        const run = await killSandbox(pools, name);
        return { text: `${name}\tStopped\tSIGKILL`, json: { name, status: 'Stopped', run: run ?? null } };
      },
    );
  },
};
