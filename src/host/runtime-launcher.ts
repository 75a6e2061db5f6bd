import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HostError } from '../sandbox/errors.js';
import { sandboxDir } from '../sandbox/paths.js';
import type { LaunchReply, LaunchRequest } from './launcher-worker.js';
import { signalRuntime } from './processes.js';

/**
 * What {@link startRuntime} needs.
 *
 * @example
 * ```ts
 * const options: StartRuntimeOptions = { dbPath, sandboxName: 'web', sandboxId: 3, msbHome: home, timeoutMs: 30_000 };
 * ```
 */
export interface StartRuntimeOptions {
  readonly dbPath: string;
  readonly sandboxName: string;
  /**
   * The sandbox row to run: the runtime refuses to run if that row is gone or no longer has `sandboxName`
   * (removed or replaced during the start), so it can never take over a newer sandbox of the same name.
   */
  readonly sandboxId: number;
  /**
   * The msb home, passed as `--home`: the runtime's log goes to `<msbHome>/sandboxes/<name>/runtime.log`,
   * and the runtime derives the sandbox directory and reads `config.json` from it.
   */
  readonly msbHome: string;
  /** How long to wait for the runtime's report before killing it (default 30 000). */
  readonly timeoutMs?: number;
  /** Passed to the runtime as `--connect-timeout-ms` (default: the msb home's `connect_timeout_secs`). */
  readonly connectTimeoutMs?: number;
  /** Passed as `--stop-grace-ms`: how long a stopped workload gets before SIGKILL (runtime default 10 s). */
  readonly stopGraceMs?: number;
  /**
   * Called with the runtime's pid as soon as it is spawned, so a caller can clean up after a runtime
   * that fails or is killed before its report (its run row, if it inserted one, carries that pid).
   */
  readonly onSpawn?: (runtimePid: number) => void;
}

/**
 * A runtime that reported ready: its run row exists, its workload was started, and its first metric is
 * stored (unless the workload had already exited: then there was nothing to sample, and its exit is
 * recorded next).
 *
 * @example
 * ```ts
 * const { runId, runtimePid, workloadPid, busyRetries }: RuntimeStarted = await startRuntime(options);
 * ```
 */
export interface RuntimeStarted {
  readonly runId: number;
  readonly runtimePid: number;
  readonly workloadPid: number;
  /** Busy retries the runtime's writer needed before it reported. */
  readonly busyRetries: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The compiled runtime entry, `dist/runtime/main.js`, found relative to this module: next to it when
 * this is the compiled `dist/host/runtime-launcher.js`; in the project's `dist/` when this module
 * runs from its TypeScript source (tests, `tsx`), since the runtime is always plain compiled JavaScript.
 *
 * @example
 * ```ts
 * spawn(process.execPath, [RUNTIME_MAIN, '--db', dbPath, '--home', home, '--sandbox', 'web', '--sandbox-id', '3']);
 * ```
 */
export const RUNTIME_MAIN = fileURLToPath(
  import.meta.url.endsWith('.ts')
    ? new URL('../../dist/runtime/main.js', import.meta.url)
    : new URL('../runtime/main.js', import.meta.url),
);

/**
 * Starts the runtime process of one sandbox and waits for its report.
 *
 * 1. Spawns `node dist/runtime/main.js --db <dbPath> --home <msbHome> --sandbox <name> --sandbox-id <id>`
 *    with `process.execPath`, detached (its own process group, which its workload joins), stdin and
 *    stdout closed, stderr appended to `<msbHome>/sandboxes/<name>/runtime.log`, and fd 3 a pipe for the
 *    report. The spawn happens on the process's launcher thread (started on first use), never on the
 *    caller's: `spawn()` blocks its thread until the child has exec'd.
 * 2. Resolves with the `ready` report. From then on nothing of the runtime is referenced by this process:
 *    the host may exit while the runtime keeps running.
 * 3. Rejects with `HostError` `RUNTIME_START_FAILED` naming the sandbox on a `failed` report (with the
 *    runtime's code and message), on EOF without a report (the runtime died; the end of its log is
 *    quoted), after `timeoutMs`, or if the launcher thread dies (in the last two cases the runtime's
 *    whole process group is killed with SIGKILL).
 *
 * The runtime and the launcher thread are always compiled JavaScript: from `src/` (tests, `tsx`) they are
 * taken from the project's `dist/`, so run `npm run build` first.
 *
 * @example
 * ```ts
 * const started = await startRuntime({ dbPath: dbPathFor(home), sandboxName: 'web', sandboxId: 3, msbHome: home });
 * console.log(`runtime ${started.runtimePid} runs workload ${started.workloadPid}`);
 * ```
 */
export function startRuntime(options: StartRuntimeOptions): Promise<RuntimeStarted> {
  const { dbPath, sandboxName, sandboxId, msbHome } = options;
  const dir = sandboxDir(msbHome, sandboxName);
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
      logPath: join(dir, 'runtime.log'),
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    };
    worker.postMessage(request);
  });
}

/** A launch the launcher thread has not settled yet. */
interface PendingLaunch {
  pid: number | undefined;
  readonly spawned: (pid: number) => void;
  /** The ready report, or why the runtime did not start. */
  readonly settle: (outcome: RuntimeStarted | string) => void;
}

const LAUNCHER_WORKER = new URL(
  import.meta.url.endsWith('.ts') ? '../../dist/host/launcher-worker.js' : './launcher-worker.js',
  import.meta.url,
);
const pending = new Map<number, PendingLaunch>();
let nextLaunchId = 1;
let worker: Worker | undefined;

/**
 * Starts the process's runtime launcher thread now, if it is not running, so that its start-up (tens
 * of milliseconds) overlaps the caller's database work instead of delaying the first spawn. The thread
 * never keeps the process alive while no launch is pending.
 *
 * @example
 * ```ts
 * prestartRuntimeLauncher(); // then prepare and insert the sandbox, then startRuntime()
 * ```
 */
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
      if (launch.pid !== undefined) signalRuntime(launch.pid, 'SIGKILL', 'group');
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
