import { closeGlobal, initGlobal, msbHome } from '../db/index.js';
import { reapStaleSandboxes } from '../host/reconcile.js';
import { tightenHome } from '../host/tighten-home.js';
import type { CliIo } from './cli-io.js';
import type { Command } from './command.js';
import { createCommand } from './commands/create-command.js';
import { fleetCommand } from './commands/fleet-command.js';
import { imageCommand } from './commands/image-command.js';
import { inspectCommand } from './commands/inspect-command.js';
import { killCommand } from './commands/kill-command.js';
import { logsCommand } from './commands/logs-command.js';
import { lsCommand } from './commands/ls-command.js';
import { metricsCommand } from './commands/metrics-command.js';
import { rmCommand } from './commands/rm-command.js';
import { startCommand } from './commands/start-command.js';
import { stopCommand } from './commands/stop-command.js';
import { volumeCommand } from './commands/volume-command.js';
import { EXIT, exitCodeFor } from './exit-code.js';
import { formatError } from './format-error.js';
import { terminalSafe } from './terminal-safe.js';
import { UsageError } from './usage-error.js';

const COMMANDS: readonly Command[] = [
  createCommand,
  startCommand,
  stopCommand,
  killCommand,
  rmCommand,
  lsCommand,
  inspectCommand,
  logsCommand,
  metricsCommand,
  imageCommand,
  volumeCommand,
  fleetCommand,
];

const USAGE = `Usage: msb <command> [options]

A sandbox manager: the host and one runtime process per sandbox share one SQLite database,
$MSB_HOME/db/msb.db (MSB_HOME defaults to ~/.microsandbox).

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`).join('\n')}

Run "msb <command> --help" for a command's options.

Exit codes:
  0  ok
  1  failure (runtime did not start, process survived SIGKILL, database busy too long, ...)
  2  usage error (unknown command or option, bad argument)
  3  not found (no such sandbox, image or volume)
  4  conflict (already exists, leftover directory, running, not running, image in use)

A command given several names (stop, kill, rm, start, image rm, volume rm) processes every name,
reports each failure, and exits with the most severe code: 1, then 2, 3, 4.`;

/**
 * Runs one `msb` invocation and resolves its exit code (see the usage text for the codes).
 *
 * 1. `--help`/`-h` anywhere before `--` prints the usage of the command (or of msb) and exits 0.
 * 2. Before a command touches the database, what msb keeps in `$MSB_HOME` is made private to its user
 *    (`tightenHome`; what it cannot tighten is printed as `msb: warning: …`), and the reaper marks
 *    Running/Draining sandboxes whose runtime died as Crashed.
 * 3. An error prints `msb: <message>` (naming the sandbox, image, volume or file) and maps to its code.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(['ls', '--json'], io);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  const beforeTerminator = args.indexOf('--') === -1 ? args : args.slice(0, args.indexOf('--'));
  const wantsHelp = beforeTerminator.includes('--help') || beforeTerminator.includes('-h');
  if (name === undefined) {
    io.err(`${USAGE}\n`);
    return EXIT.USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(`${USAGE}\n`);
    return EXIT.OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (command === undefined) throw new UsageError(`unknown command "${name}"`);
    if (wantsHelp) {
      io.out(`${command.usage}\n`);
      return EXIT.OK;
    }
    // Before the database opens: SQLite gives new -wal and -shm files the mode of the database file.
    for (const warning of tightenHome(msbHome())) io.err(`msb: warning: ${terminalSafe(warning)}\n`);
    const pools = await initGlobal();
    for (const reaped of await reapStaleSandboxes(pools)) {
      const name = terminalSafe(reaped.name);
      io.err(
        reaped.pid === null
          ? `msb: sandbox "${name}" crashed (its runtime never started)\n`
          : `msb: sandbox "${name}" crashed (runtime pid ${reaped.pid} is gone)\n`,
      );
    }
    return await command.run(args, io);
  } catch (err) {
    const code = exitCodeFor(err);
    io.err(formatError(err));
    if (err instanceof UsageError) {
      const usage = COMMANDS.find((c) => err.command?.startsWith(c.name));
      io.err(`\n${usage?.usage ?? USAGE}\n`);
    }
    return code;
  } finally {
    await closeGlobal();
  }
}
