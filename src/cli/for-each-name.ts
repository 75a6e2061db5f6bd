import type { CliIo } from './cli-io.js';
import { EXIT, exitCodeFor, mostSevereExitCode } from './exit-code.js';
import { formatError } from './format-error.js';
import { SubjectError, type SubjectKind } from './subject-error.js';
import { terminalSafe, terminalSafeJson } from './terminal-safe.js';
import { UsageError } from './usage-error.js';

/** What one name's success prints: a text line (tab-separated fields), or its record under `--json`. */
export interface NameOutcome {
  readonly text: string;
  readonly json: unknown;
}

/**
 * Runs `fn` for every name of a multi-name command (`msb stop a b c`), in order. A failing name does not
 * stop the others: its error is printed at once, naming the `kind` and name when its message does not.
 * Successes print their line at once (each field {@link terminalSafe}), or, with `json`, together as
 * one JSON array at the end. Resolves the most severe exit code; a {@link UsageError} is about the
 * whole command line and is thrown at once.
 */
export async function forEachName(
  kind: SubjectKind,
  names: readonly string[],
  io: CliIo,
  json: boolean,
  fn: (name: string) => Promise<NameOutcome>,
): Promise<number> {
  const codes: number[] = [EXIT.OK];
  const records: unknown[] = [];
  for (const name of names) {
    try {
      const outcome = await fn(name);
      if (json) records.push(outcome.json);
      else io.out(`${outcome.text.split('\t').map(terminalSafe).join('\t')}\n`);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const failure = new SubjectError(kind, name, err);
      io.err(formatError(failure));
      codes.push(exitCodeFor(failure));
    }
  }
  if (json) io.out(`${terminalSafeJson(records)}\n`);
  return mostSevereExitCode(codes);
}
