import { initGlobal } from '../../db/index.js';
import { killSandbox } from '../../host/kill-sandbox.js';
import type { Command } from '../command.js';
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
  usage: `Usage: msb kill <name>...

Send SIGKILL to each sandbox's runtime process group (runtime and workload), confirm the runtime is
dead, then record the run as Terminated/Signal and the sandbox as Stopped.

Options:
  -h, --help  show this help

Exit codes: 0 ok, 1 the process survived SIGKILL, 3 no such sandbox, 4 sandbox not running.`,
  async run(args, io) {
    const { positionals } = parseCommandArgs('kill', args, {});
    const pools = await initGlobal();
    for (const name of requireNames('kill', positionals)) {
      await killSandbox(pools, name);
      io.out(`${name}\tStopped\tSIGKILL\n`);
    }
    return 0;
  },
};
