import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HostError } from '../sandbox/errors.js';
import { killGroup } from '../sandbox/kill-group.js';
import { sandboxLogPath } from '../sandbox/paths.js';
import { LAUNCHER_FLAG, type LaunchReply, type LaunchRequest } from './launcher-process.js';

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

/** Whether {@link RUNTIME_MAIN} and the launcher's entry were seen to exist. */
let entriesFound = false;

/** How long a start waits for the runtime's ready report unless told otherwise. */
export const DEFAULT_READY_TIMEOUT_MS = 30_000;

/**
 * `dist/runtime/main.cjs`, the bundled runtime's entry (`scripts/bundle-runtime.mjs`); from the
 * TypeScript source (tests, tsx) the project's built one.
 */
export const RUNTIME_MAIN = fileURLToPath(
  import.meta.url.endsWith('.ts')
    ? new URL('../../dist/runtime/main.cjs', import.meta.url)
    : new URL('../runtime/main.cjs', import.meta.url),
);

/**
 * Starts the runtime of one sandbox and waits for its report. The spawn (detached, stderr appended to the
 * sandbox's `runtime.log`, fd 3 a pipe for the report) happens in the host's launcher process, a small
 * long-lived child, never in the host: `spawn()` blocks its thread until the child has exec'd, and the
 * `fork()` under it copies the page tables of the process that calls it while holding that process's
 * memory map lock, which stalls every thread of that process that faults a page meanwhile
 * (`npm run bench:spawn-stall`: 200 spawns beside a 300 MB heap, quiet 2-core machine: the main thread's
 * event-loop p99 3.5 ms and max 7–30 ms with a launcher thread, 2.3 ms and 9–27 ms with a process, which
 * also spawned them in 0.9 s instead of 1.2 s).
 * The launcher has a session of its own, so the kernel's autogroups schedule its spawns apart from the
 * host: that took the typed host's p99 in the 200-boot storm from 44 to 8.4 ms. Resolves with the `ready`
 * report, after which nothing of the runtime is referenced (the host may exit). Rejects with `HostError`
 * `RUNTIME_START_FAILED` on a `failed` report, on EOF without one (the log's end is quoted), after
 * `timeoutMs`, or if the launcher process dies (then the runtime's group is SIGKILLed).
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
  // Checked until found once, not on every start: a synchronous stat on the host's thread is what a
  // storm of boots must not pay per sandbox (the launcher reports a spawn that fails anyway).
  if (!entriesFound) {
    // A dist/ built by tsc alone has neither bundle.
    const missing = [RUNTIME_MAIN, LAUNCHER_MAIN].find((entry) => !existsSync(entry));
    if (missing !== undefined) {
      return Promise.reject(
        new HostError(
          'RUNTIME_START_FAILED',
          `sandbox "${sandboxName}": ${missing === RUNTIME_MAIN ? 'runtime' : 'launcher'} entry ${missing} does not exist (run npm run build)`,
        ),
      );
    }
    entriesFound = true;
  }
  return new Promise<RuntimeStarted>((resolve, reject) => {
    const id = nextLaunchId++;
    const child = launcher();
    const launch: PendingLaunch = {
      pid: undefined,
      spawned: (pid) => {
        launch.pid = pid;
        options.onSpawn?.(pid);
      },
      settle: (outcome) => (typeof outcome === 'string' ? reject(fail(outcome)) : resolve(outcome)),
    };
    pending.set(id, launch);
    holdOpen(child, true);
    const request: LaunchRequest = {
      id,
      execPath: process.execPath,
      args,
      logPath: sandboxLogPath(msbHome, sandboxName, 'runtime'),
      timeoutMs: options.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    };
    child.send(request);
  });
}

interface PendingLaunch {
  pid: number | undefined;
  readonly spawned: (pid: number) => void;
  readonly settle: (outcome: RuntimeStarted | string) => void;
}

// The launcher's CommonJS bundle, started through its code-cache loader like a runtime
// (scripts/bundle-runtime.mjs): it starts once per host, and ESM and compiling from source cost that start
// CPU in the middle of the host's first burst of boots.
const LAUNCHER_MAIN = fileURLToPath(
  import.meta.url.endsWith('.ts')
    ? new URL('../../dist/host/launcher-process.cjs', import.meta.url)
    : new URL('./launcher-process.cjs', import.meta.url),
);
const pending = new Map<number, PendingLaunch>();
let nextLaunchId = 1;
let current: ChildProcess | undefined;

/**
 * Starts the launcher process now, so its start-up overlaps the caller's database work.
 *
 * @example
 * ```ts
 * prestartRuntimeLauncher();
 * await pools.write.transaction((tx) => insertSandboxRecord(tx, name, config));
 * ```
 */
export function prestartRuntimeLauncher(): void {
  launcher();
}

/**
 * Ends the launcher process once no start waits on it, and resolves when it has exited (and been
 * reaped, so its runtimes' CPU is counted in this process's children's times). Starts after this get a
 * new one. For a caller that measures or must leave no process of its own behind.
 *
 * @example
 * ```ts
 * await stopRuntimeLauncher();
 * ```
 */
export async function stopRuntimeLauncher(): Promise<void> {
  const child = current;
  if (child === undefined) return;
  if (pending.size > 0) throw new TypeError('stopRuntimeLauncher() called while runtime starts are pending');
  current = undefined;
  child.removeAllListeners();
  child.on('error', () => undefined);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Held until it has exited: an unref'd child would let this process end first, with the wait unsettled.
  child.ref();
  // Closing the channel is the launcher's signal to end (it exits on 'disconnect').
  if (child.connected) child.disconnect();
  else child.kill('SIGKILL');
  await exited;
}

/** The host's one launcher process, started on first use and unref'd while idle. */
function launcher(): ChildProcess {
  if (current !== undefined) return current;
  // Plain compiled JavaScript, with no loader of the host's (tsx, vitest) in its arguments.
  const started = fork(LAUNCHER_MAIN, [LAUNCHER_FLAG], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'json',
    // A session of its own, as each runtime has: a Ctrl-C or a hang-up of the host's terminal reaches
    // the host, which may handle it and let the starts in flight finish, not the launcher under them.
    // It still ends when the host does: its channel closes.
    detached: true,
  });
  started.on('message', (reply: LaunchReply) => {
    const launch = pending.get(reply.id);
    if (launch === undefined) return;
    if (reply.type === 'spawned') {
      launch.spawned(reply.pid);
      return;
    }
    pending.delete(reply.id);
    if (pending.size === 0) holdOpen(started, false);
    launch.settle(reply.type === 'ready' ? reply.report : reply.message);
  });
  const lost = (why: string): void => {
    // Once: 'error' may come with or without a later 'exit', and by then a new launcher may hold
    // launches of its own. (A later 'error' without a listener would be thrown, so one that ignores it stays.)
    if (current !== started) return;
    started.removeAllListeners();
    started.on('error', () => undefined);
    // A launcher whose channel failed may still run; it is nobody's now.
    started.kill('SIGKILL');
    current = undefined;
    for (const [id, launch] of pending) {
      // Nobody waits for these runtimes' reports any more: they must not run unsupervised.
      killGroup(launch.pid);
      pending.delete(id);
      launch.settle(`the runtime launcher process ${why}; killed the runtime's process group`);
    }
  };
  started.on('error', (err) => lost(`failed: ${err.message}`));
  started.on('exit', (code, signal) => lost(`exited (${signal ?? `code ${code}`})`));
  holdOpen(started, false);
  current = started;
  return started;
}

/** Whether the launcher keeps the host alive: only while a start waits on it. */
function holdOpen(child: ChildProcess, hold: boolean): void {
  // The IPC channel is a handle of its own; `ref()`/`unref()` of the child do not cover it.
  const channel = (child as ChildProcess & { channel?: { ref(): void; unref(): void } | null }).channel;
  if (hold) {
    child.ref();
    channel?.ref();
  } else {
    child.unref();
    channel?.unref();
  }
}
