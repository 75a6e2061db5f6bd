import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MSB_MAIN } from '../../support/msb-cli.js';

/**
 * How one `msb` process ended: its exit code, or the signal that killed it.
 *
 * @example
 * ```ts
 * const { code, stderr }: MsbOutcome = await runMsb(home, ['ls']);
 * ```
 */
export interface MsbOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly timedOut: boolean;
}

/**
 * A running `msb` process.
 *
 * @example
 * ```ts
 * const child = spawnMsb(home, ['create', 'a', '--', 'sleep', '60']);
 * setTimeout(() => child.kill(), 120);
 * const outcome = await child.done;
 * ```
 */
export interface MsbProcess {
  readonly pid: number;
  /** What it printed on stdout so far. */
  readonly stdout: () => string;
  /** SIGKILL, now. */
  readonly kill: () => void;
  readonly done: Promise<MsbOutcome>;
}

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
  const started = performance.now();
  const child = spawn(wrap[0] ?? argv[0]!, [...wrap.slice(1), ...(wrap.length > 0 ? argv : argv.slice(1))], {
    env: { ...process.env, MSB_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`cannot spawn ${argv.join(' ')}`);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 60_000);
  const done = new Promise<MsbOutcome>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started, timedOut });
    });
  });
  return {
    pid: child.pid,
    stdout: () => stdout,
    kill: () => {
      child.kill('SIGKILL');
    },
    done,
  };
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
