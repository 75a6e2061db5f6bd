import type { CliIo } from './cli-io.js';

/**
 * One `msb` command (or sub-command group).
 *
 * @example
 * ```ts
 * const hello: Command = {
 *   name: 'hello',
 *   summary: 'print hello',
 *   usage: 'msb hello',
 *   run: async (_args, io) => { io.out('hello\n'); return 0; },
 * };
 * ```
 */
export interface Command {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** The full `--help` text: synopsis, options, examples. */
  readonly usage: string;
  /** Runs with the arguments after the command name; resolves the exit code. */
  readonly run: (args: readonly string[], io: CliIo) => Promise<number>;
}
