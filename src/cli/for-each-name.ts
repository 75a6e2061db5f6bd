import type { CliIo } from './cli-io.js';
import { EXIT, exitCodeFor, mostSevereExitCode } from './exit-code.js';
import { formatError } from './format-error.js';
import { UsageError } from './usage-error.js';

/**
 * Runs `fn` for every name of a multi-name command (`msb stop a b c`), in order.
 *
 * 1. A name that fails does not stop the others: its error is printed at once as
 *    `msb: <message> [CODE]`, and the next name is processed.
 * 2. Resolves the exit code: 0 if every name succeeded, else the most severe code of the failures
 *    ({@link mostSevereExitCode}), whatever their order.
 * 3. A {@link UsageError} is about the whole command line, not one name: it is thrown at once.
 *
 * @example
 * ```ts
 * return forEachName(names, io, async (name) => {
 *   await killSandbox(pools, name);
 *   io.out(`${name}\tStopped\tSIGKILL\n`);
 * });
 * ```
 */
export async function forEachName(
  names: readonly string[],
  io: CliIo,
  fn: (name: string) => Promise<void>,
): Promise<number> {
  const codes: number[] = [EXIT.OK];
  for (const name of names) {
    try {
      await fn(name);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      io.err(formatError(err));
      codes.push(exitCodeFor(err));
    }
  }
  return mostSevereExitCode(codes);
}
