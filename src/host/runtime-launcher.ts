import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HostError } from '../sandbox/errors.js';
import { killGroup } from '../sandbox/kill-group.js';
import { sandboxLogPath } from '../sandbox/paths.js';
import type { LaunchReply, LaunchRequest } from './launcher-worker.js';

/** What {@link startRuntime} needs. */
export interface StartRuntimeOptions {
  readonly dbPath: string;
  readonly sandboxName: string;
  /** The row to run: a runtime whose row is gone or renamed refuses, so it never takes over a newer one. */
  readonly sandboxId: number;
  /** Passed as `--home`: the runtime derives its sandbox directory and reads `config.json` from it. */
  readonly msbHome: string;
  /** How long to wait for the runtime's report before killing it (default 30 000). */
  readonly timeoutMs?: number;
  /** Passed to the runtime as `--connect-timeout-ms` (default: the msb home's `connect_timeout_secs`). */
  readonly connectTimeoutMs?: number;
  /** Passed as `--stop-grace-ms`: how long a stopped workload gets before SIGKILL (runtime default 10 s). */
  readonly stopGraceMs?: number;
  /** Called with the pid once spawned, to clean up after a runtime that fails before its report. */
  readonly onSpawn?: (runtimePid: number) => void;
}

/**
 * A runtime that reported ready: its run row exists, its workload was started, and its first metric is
 * stored (unless sampling is off or the workload had already exited).
 *
 * @example
 * ```ts
 * const { runId, runtimePid, workloadPid }: RuntimeStarted = (await startSandbox(pools, { home, name })).runtime;
 * ```
 */
export interface RuntimeStarted {
  readonly runId: number;
  readonly runtimePid: number;
  readonly workloadPid: number;
  /** Busy retries the runtime's writer needed before it reported. */
  readonly busyRetries: number;
}

/** How long a start waits for the runtime's ready report unless told otherwise. */
export const DEFAULT_READY_TIMEOUT_MS = 30_000;

/** `dist/runtime/main.js`; from the TypeScript source (tests, tsx) the project's compiled one. */
export const RUNTIME_MAIN = fileURLToPath(
  import.meta.url.endsWith('.ts')
    ? new URL('../../dist/runtime/main.js', import.meta.url)
    : new URL('../runtime/main.js', import.meta.url),
);

/**
 * Starts the runtime of one sandbox and waits for its report. The spawn (detached, stderr appended to the
 * sandbox's `runtime.log`, fd 3 a pipe for the report) happens on the process's launcher thread, never on
 * the caller's: `spawn()` blocks its thread until the child has exec'd. Resolves with the `ready` report,
 * after which nothing of the runtime is referenced (the host may exit). Rejects with `HostError`
 * `RUNTIME_START_FAILED` on a `failed` report, on EOF without one (the log's end is quoted), after
 * `timeoutMs`, or if the launcher thread dies (then the runtime's group is SIGKILLed).
 */
export function startRuntime(options: StartRuntimeOptions): Promise<RuntimeStarted> {
  const { dbPath, sandboxName, sandboxId, msbHome } = options;
  const args = [RUNTIME_MAIN, '--db', dbPath, '--home', msbHome, '--sandbox', sandboxName];
  args.push('--sandbox-id', String(sandboxId));
  if (options.connectTimeoutMs !== undefined)
    args.push('--connect-timeout-ms', String(options.connectTimeoutMs));
  if (options.stopGraceMs !== undefined) args.push('--stop-grace-ms', String(options.stopGraceMs));
  const fail = (message: string): HostError =>
    new HostError('RUNTIME_START_FAILED', `sandbox "${sandboxName}": runtime did not start: ${message}`);
  if (!existsSync(RUNTIME_MAIN)) {
    return Promise.reject(
      new HostError(
        'RUNTIME_START_FAILED',
        `sandbox "${sandboxName}": runtime entry ${RUNTIME_MAIN} does not exist (run npm run build)`,
      ),
    );
  }
  return new Promise<RuntimeStarted>((resolve, reject) => {
    const id = nextLaunchId++;
    const worker = launcher();
    const launch: PendingLaunch = {
      pid: undefined,
      spawned: (pid) => {
        launch.pid = pid;
        options.onSpawn?.(pid);
      },
      settle: (outcome) => (typeof outcome === 'string' ? reject(fail(outcome)) : resolve(outcome)),
    };
    pending.set(id, launch);
    worker.ref();
    const request: LaunchRequest = {
      id,
      execPath: process.execPath,
      args,
      logPath: sandboxLogPath(msbHome, sandboxName, 'runtime'),
      timeoutMs: options.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    };
    worker.postMessage(request);
  });
}

interface PendingLaunch {
  pid: number | undefined;
  readonly spawned: (pid: number) => void;
  readonly settle: (outcome: RuntimeStarted | string) => void;
}

const LAUNCHER_WORKER = new URL(
  import.meta.url.endsWith('.ts') ? '../../dist/host/launcher-worker.js' : './launcher-worker.js',
  import.meta.url,
);
const pending = new Map<number, PendingLaunch>();
let nextLaunchId = 1;
let worker: Worker | undefined;

/** Starts the launcher thread now, so its start-up overlaps the caller's database work. */
export function prestartRuntimeLauncher(): void {
  launcher();
}

/** The process's one launcher thread, started on first use and unref'd while idle. */
function launcher(): Worker {
  if (worker !== undefined) return worker;
  // Plain compiled JavaScript: no TypeScript loader (tsx, vitest) is needed or wanted in the thread.
  const started = new Worker(LAUNCHER_WORKER, { execArgv: [] });
  started.on('message', (reply: LaunchReply) => {
    const launch = pending.get(reply.id);
    if (launch === undefined) return;
    if (reply.type === 'spawned') {
      launch.spawned(reply.pid);
      return;
    }
    pending.delete(reply.id);
    if (pending.size === 0) started.unref();
    launch.settle(reply.type === 'ready' ? reply.report : reply.message);
  });
  const lost = (why: string): void => {
    // Once: a thread that failed also exits, and by then a new thread may hold launches of its own.
    // (A later 'error' without a listener would be thrown, so one that ignores it stays.)
    started.removeAllListeners();
    started.on('error', () => undefined);
    worker = undefined;
    for (const [id, launch] of pending) {
      // Nobody waits for these runtimes' reports any more: they must not run unsupervised.
      killGroup(launch.pid);
      pending.delete(id);
      launch.settle(`the runtime launcher thread ${why}; killed the runtime's process group`);
    }
  };
  started.on('error', (err) => lost(`failed: ${err.message}`));
  started.on('exit', (code) => lost(`exited with code ${code}`));
  // After the listeners: attaching a 'message' listener refs the thread again.
  started.unref();
  worker = started;
  return started;
}
