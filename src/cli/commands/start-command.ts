import { initGlobal, msbHome } from '../../db/index.js';
import { startSandbox } from '../../host/start-sandbox.js';
import type { Command } from '../command.js';
import { forEachName } from '../for-each-name.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { MAX_TIMEOUT_SECS, parsePositiveInt } from '../parse-positive-int.js';
import { requireNames } from '../require-names.js';

/**
 * `msb start <name>...`: boot Stopped or Crashed sandboxes again.
 *
 * @example
 * ```ts
 * await startCommand.run(['web'], io);
 * ```
 */
export const startCommand: Command = {
  name: 'start',
  summary: 'start stopped or crashed sandboxes again',
  usage: `Usage: msb start <name>... [--timeout <seconds>] [--json]

Start the runtime of each Stopped or Crashed sandbox with its stored config, and wait until it
reports its workload started.

Options:
  --timeout <seconds>  how long to wait for each runtime to report ready, 1 to 86400 (default 30)
  --json               print a JSON array of the started runtimes instead of text
  -h, --help           show this help

Exit codes: 0 ok, 1 runtime failed to start, 3 no such sandbox, 4 already running. Every name is
processed; the exit code is the most severe of their outcomes (1 > 2 > 3 > 4).`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('start', args, {
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    });
    const names = requireNames('start', positionals);
    const readyTimeoutMs =
      values.timeout === undefined
        ? undefined
        : parsePositiveInt('start', '--timeout', values.timeout, MAX_TIMEOUT_SECS) * 1000;
    const pools = await initGlobal();
    return forEachName('sandbox', names, io, values.json === true, async (name) => {
      const { runtime } = await startSandbox(pools, {
        home: msbHome(),
        name,
        ...(readyTimeoutMs === undefined ? {} : { readyTimeoutMs }),
      });
      return {
        text: `${name}\tRunning\tpid ${runtime.runtimePid}`,
        json: { name, status: 'Running', ...runtime },
      };
    });
  },
};
