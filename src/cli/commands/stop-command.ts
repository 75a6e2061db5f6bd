import { initGlobal } from '../../db/index.js';
import { DEFAULT_STOP_TIMEOUT_MS, stopSandbox } from '../../host/stop-sandbox.js';
import { HostError } from '../../sandbox/errors.js';
import type { Command } from '../command.js';
import { forEachName } from '../for-each-name.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { MAX_TIMEOUT_SECS, parsePositiveInt } from '../parse-positive-int.js';
import { requireNames } from '../require-names.js';

/**
 * `msb stop <name>...`: SIGTERM each sandbox's runtime, wait for it to record the exit, SIGKILL after
 * the timeout.
 *
 * @example
 * ```ts
 * await stopCommand.run(['web', '--timeout', '5'], io);
 * ```
 */
export const stopCommand: Command = {
  name: 'stop',
  summary: 'stop running sandboxes gracefully (SIGTERM, then SIGKILL after a timeout)',
  usage: `Usage: msb stop <name>... [--timeout <seconds>] [--json]

Send SIGTERM to each sandbox's runtime (which forwards it to the workload) and wait until the runtime
has recorded the exit; after the timeout, SIGKILL its process group and record the run as killed.
Prints one line per sandbox: name, exit code or signal.

Options:
  --timeout <s>  seconds to wait before SIGKILL, 1 to 86400 (default 15: the runtime gives its
                 workload 10 s)
  --json         print a JSON array of the recorded runs instead of text
  -h, --help     show this help

Exit codes: 0 ok, 1 failure, 3 no such sandbox, 4 sandbox not running. Every name is processed; the
exit code is the most severe of their outcomes (1 > 2 > 3 > 4).`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('stop', args, {
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    });
    const names = requireNames('stop', positionals);
    const timeoutMs =
      values.timeout === undefined
        ? DEFAULT_STOP_TIMEOUT_MS
        : parsePositiveInt('stop', '--timeout', values.timeout, MAX_TIMEOUT_SECS) * 1000;
    const pools = await initGlobal();
    return forEachName('sandbox', names, io, values.json === true, async (name) => {
      const { run, forced } = await stopSandbox(pools, { name, timeoutMs });
      if (run?.terminationReason === 'InternalError') {
        // Stopped, but not as asked: the workload's own exit was never recorded. Say so, exit 1.
        throw new HostError(
          'EXIT_UNRECORDED',
          `sandbox "${name}" is stopped, but its workload's exit was not recorded: ${run.terminationDetail}`,
        );
      }
      const how = run?.exitCode != null ? `exit code ${run.exitCode}` : (run?.exitSignal ?? 'no run');
      return {
        text: `${name}\tStopped\t${how}${forced ? ' (killed after timeout)' : ''}`,
        json: { name, status: 'Stopped', forced, run: run ?? null },
      };
    });
  },
};
