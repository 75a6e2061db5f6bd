import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ProcessOutcome, spawnCollecting } from './spawn-collecting.js';

const MSB_MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const CODEGEN = fileURLToPath(new URL('../../scripts/codegen-launch.mjs', import.meta.url));

/** Where a bad input is given: the `msb` CLI or the code generator. */
export type BadInputArea = 'cli' | 'config' | 'database' | 'oci' | 'sql';

/** One command to run against a prepared directory. */
export interface BadInputCommand {
  /** `msb` runs `dist/cli/main.js` with `MSB_HOME` set to the case's home; `codegen` the generator. */
  readonly program: 'msb' | 'codegen';
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * One bad input and the answer it must get: the documented exit code and a message naming the culprit
 * (the argument, key, file, name or query at fault). Every case runs in a fresh temporary directory:
 * `prepare` writes whatever the input needs into it (an msb home, a database file, an OCI layout, an
 * sqlc project) and returns the command to run.
 */
export interface BadInputCase {
  readonly area: BadInputArea;
  /** What is bad, unique within its area: the reliability table's row. */
  readonly name: string;
  readonly prepare: (dir: string) => BadInputCommand | Promise<BadInputCommand>;
  readonly exitCode: number;
  /** What stderr must contain. */
  readonly message: RegExp;
}

/** What a bad input got. */
export type BadInputOutcome = ProcessOutcome;

/** A JavaScript stack frame in the output: bad input must never be answered with one. */
export const STACK_FRAME = /^\s+at .+[:(]\d+:\d+\)?$/m;

/**
 * Runs one case's command (its home is `dir`) with a 20 s limit, killing it on timeout.
 *
 * @example
 * ```ts
 * const outcome = await runBadInput(dir, await badCase.prepare(dir));
 * ```
 */
export function runBadInput(
  dir: string,
  command: BadInputCommand,
  timeoutMs = 20_000,
): Promise<BadInputOutcome> {
  const [entry, label] = command.program === 'msb' ? [MSB_MAIN, 'dist/cli/main.js'] : [CODEGEN, 'codegen'];
  if (!existsSync(entry)) throw new Error(`${label} does not exist: run "npm run build" first`);
  return spawnCollecting(process.execPath, [entry, ...command.args], {
    cwd: command.cwd ?? dir,
    env: { MSB_HOME: dir, ...command.env },
    timeoutMs,
  }).done;
}

/**
 * Whether an outcome is the answer a case asks for; the reason when it is not.
 *
 * @example
 * ```ts
 * expect(judgeBadInput(badCase, outcome)).toBe('ok');
 * ```
 */
export function judgeBadInput(badCase: BadInputCase, outcome: BadInputOutcome): string {
  if (outcome.timedOut) return `hung: killed after ${Math.round(outcome.ms)} ms`;
  if (STACK_FRAME.test(outcome.stderr) || STACK_FRAME.test(outcome.stdout)) return 'printed a stack trace';
  if (outcome.code !== badCase.exitCode) {
    return `exit ${outcome.code ?? outcome.signal} instead of ${badCase.exitCode}: ${outcome.stderr.trim().slice(0, 300)}`;
  }
  if (!badCase.message.test(outcome.stderr)) {
    return `stderr does not match ${badCase.message}: ${outcome.stderr.trim().slice(0, 300)}`;
  }
  return 'ok';
}
