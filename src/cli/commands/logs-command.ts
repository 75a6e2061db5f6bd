import { StringDecoder } from 'node:string_decoder';
import { initGlobal, msbHome } from '../../db/index.js';
import { readSandboxLog } from '../../host/logs.js';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { requireNames } from '../require-names.js';
import { onSubject } from '../subject-error.js';
import { UsageError } from '../usage-error.js';

/** `msb logs <name>`: print (and follow) a sandbox's workload or runtime log. */
export const logsCommand: Command = {
  name: 'logs',
  summary: "print a sandbox's output (stdout, stderr or the runtime's log)",
  usage: `Usage: msb logs <name> [--stderr | --runtime] [--tail <n>] [--follow]

Print what the sandbox's workload wrote to stdout (every run appends to the same log), its stderr
with --stderr, or its runtime's own log with --runtime.

Options:
  --stderr        the workload's stderr instead of its stdout
  --runtime       the runtime's log (start, exit, busy retries) instead of the workload's output
  -n, --tail <n>  only the last n lines (0: none, handy with --follow)
  -f, --follow    keep printing what is appended until the sandbox stops running (or Ctrl-C)
  -h, --help      show this help

Exit codes: 0 ok, 2 usage, 3 no such sandbox.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('logs', args, {
      stderr: { type: 'boolean' },
      runtime: { type: 'boolean' },
      tail: { type: 'string', short: 'n' },
      follow: { type: 'boolean', short: 'f' },
    });
    const [name, extra] = requireNames('logs', positionals);
    if (extra !== undefined) throw new UsageError(`logs: unexpected argument "${extra}"`, 'logs');
    if (values.stderr === true && values.runtime === true) {
      throw new UsageError('logs: --stderr and --runtime exclude each other', 'logs');
    }
    let tail: number | undefined;
    if (values.tail !== undefined) {
      tail = /^\d+$/.test(values.tail) ? Number(values.tail) : Number.NaN;
      if (!Number.isSafeInteger(tail)) {
        throw new UsageError(`logs: --tail must be a whole number of lines, got "${values.tail}"`, 'logs');
      }
    }
    const pools = await initGlobal();
    // The log is the workload's own output, printed as it is (like docker logs): no escaping.
    return onSubject('sandbox', name!, async () => {
      // Chunks may split a multi-byte character; the decoder carries it over to the next chunk.
      const decoder = new StringDecoder('utf8');
      for await (const chunk of readSandboxLog(pools.read, {
        home: msbHome(),
        name: name!,
        log: values.stderr === true ? 'stderr' : values.runtime === true ? 'runtime' : 'stdout',
        follow: values.follow === true,
        ...(tail === undefined ? {} : { tail }),
      })) {
        io.out(decoder.write(chunk));
        // Backpressure: a slow reader must not make msb hold the whole log in memory.
        await io.drained?.();
      }
      io.out(decoder.end());
      return 0;
    });
  },
};
