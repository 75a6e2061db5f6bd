import { spawn } from 'node:child_process';

/**
 * How a child process ended: its exit code or the signal that killed it, everything it printed, and
 * whether it was killed for running past its time limit.
 *
 * @example
 * ```ts
 * const { code, stderr }: ProcessOutcome = await spawnCollecting('node', ['-v']).done;
 * ```
 */
export interface ProcessOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly timedOut: boolean;
}

/**
 * A running child whose output is being collected.
 *
 * @example
 * ```ts
 * const child = spawnCollecting(process.execPath, [script]);
 * setTimeout(() => child.kill(), 120);
 * const outcome = await child.done;
 * ```
 */
export interface CollectingProcess {
  readonly pid: number;
  /** What it printed on stdout so far. */
  readonly stdout: () => string;
  /** SIGKILL, now. */
  readonly kill: () => void;
  readonly done: Promise<ProcessOutcome>;
}

/**
 * Starts `command args…` with stdin closed, collecting stdout and stderr, and SIGKILLs it after
 * `timeoutMs` (default 60 s; `timedOut` is then true).
 *
 * @example
 * ```ts
 * const outcome = await spawnCollecting(process.execPath, [MSB_MAIN, 'ls'], { env: { MSB_HOME: home } }).done;
 * ```
 */
export function spawnCollecting(
  command: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number } = {},
): CollectingProcess {
  const started = performance.now();
  const child = spawn(command, [...args], {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`cannot spawn ${[command, ...args].join(' ')}`);
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
  const done = new Promise<ProcessOutcome>((resolve, reject) => {
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
