import { existsSync } from 'node:fs';
import { MSB_MAIN } from '../../support/msb-cli.js';
import {
  type CollectingProcess,
  type ProcessOutcome,
  spawnCollecting,
} from '../../support/spawn-collecting.js';

/** How one `msb` process ended (see {@link ProcessOutcome}). */
export type MsbOutcome = ProcessOutcome;

/** A running `msb` process (see {@link CollectingProcess}). */
export type MsbProcess = CollectingProcess;

/** How to run `msb`. */
export interface MsbOptions {
  /** SIGKILLed after this long (default 60 s); `timedOut` is then true. */
  readonly timeoutMs?: number;
  /** A command prefix, e.g. `nsenter -t <pid> -m --` to run inside another mount namespace. */
  readonly wrap?: readonly string[];
}

/**
 * Starts `node dist/cli/main.js <args>` with `MSB_HOME=home`, in this process's group (the CLI is what a
 * user runs from a shell; the runtimes it starts are detached anyway).
 *
 * @example
 * ```ts
 * const child = spawnMsb(home, ['stop', 'web']);
 * ```
 */
export function spawnMsb(home: string, args: readonly string[], options: MsbOptions = {}): MsbProcess {
  if (!existsSync(MSB_MAIN)) throw new Error(`${MSB_MAIN} does not exist: run "npm run build" first`);
  const wrap = options.wrap ?? [];
  const argv = [process.execPath, MSB_MAIN, ...args];
  return spawnCollecting(
    wrap[0] ?? argv[0]!,
    [...wrap.slice(1), ...(wrap.length > 0 ? argv : argv.slice(1))],
    {
      env: { MSB_HOME: home },
      timeoutMs: options.timeoutMs ?? 60_000,
    },
  );
}

/**
 * Runs `msb <args>` to its end.
 *
 * @example
 * ```ts
 * expect((await runMsb(home, ['ls'])).code).toBe(0);
 * ```
 */
export function runMsb(home: string, args: readonly string[], options: MsbOptions = {}): Promise<MsbOutcome> {
  return spawnMsb(home, args, options).done;
}

/** One line for a report: `exit 1: msb: … [CODE]` or `killed by SIGKILL`. */
export function describeOutcome(outcome: MsbOutcome): string {
  if (outcome.timedOut) return `hung: killed after ${Math.round(outcome.ms)} ms`;
  const how = outcome.code === null ? `killed by ${outcome.signal}` : `exit ${outcome.code}`;
  // The last `msb:` line: the command's own error comes after the reaper's notices about other sandboxes.
  const lines = outcome.stderr.trim().split('\n');
  const said = lines.findLast((l) => l.startsWith('msb: ')) ?? lines.at(-1) ?? '';
  return said === '' ? how : `${how}: ${said.slice(0, 200)}`;
}
