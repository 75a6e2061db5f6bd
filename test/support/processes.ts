import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { onTestFinished } from 'vitest';
import { killGroup } from '../../src/sandbox/kill-group.js';

/**
 * Starts a real detached process (its own process group, as a runtime is) and kills its group when the
 * test finishes. Resolves once the process has printed its first line on stdout (kept as
 * `firstLine`), so its signal handlers are installed before the test signals it.
 *
 * @example
 * ```ts
 * const child = await spawnDetached('node', ['-e', 'console.log("ready"); setInterval(() => {}, 1000)']);
 * ```
 */
export async function spawnDetached(
  command: string,
  args: readonly string[],
): Promise<ChildProcess & { pid: number; firstLine: string }> {
  const child = spawn(command, [...args], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  onTestFinished(() => {
    killGroup(child.pid);
  });
  const first = await Promise.race([
    once(child.stdout!, 'data').then(([chunk]: unknown[]) => String(chunk).split('\n')[0] ?? ''),
    once(child, 'error').then(([err]: unknown[]) => err as Error),
    once(child, 'exit').then(() => new Error(`${command} exited before it was ready`)),
  ]);
  if (first instanceof Error) throw first;
  if (child.pid === undefined) throw new Error(`${command} has no pid`);
  return Object.assign(child as ChildProcess & { pid: number }, { firstLine: first });
}

/**
 * A node process that writes `got SIGTERM` to `file` and exits 0 on SIGTERM (the well-behaved
 * runtime), or ignores SIGTERM when `ignoreTerm` (the stuck one).
 *
 * @example
 * ```ts
 * const runtime = await spawnFakeRuntime(join(dir, 'signals.txt'));
 * ```
 */
export function spawnFakeRuntime(
  file: string,
  ignoreTerm = false,
): Promise<ChildProcess & { pid: number; firstLine: string }> {
  const onTerm = ignoreTerm
    ? `require('node:fs').appendFileSync(${JSON.stringify(file)}, 'ignored SIGTERM\\n')`
    : `require('node:fs').appendFileSync(${JSON.stringify(file)}, 'got SIGTERM\\n'); process.exit(0)`;
  return spawnDetached(process.execPath, [
    '-e',
    `process.on('SIGTERM', () => { ${onTerm} }); console.log('ready'); setInterval(() => {}, 1000);`,
  ]);
}

/**
 * A live process that does not lead a process group (it stays in the test's group): what a runtime's
 * pid looks like once the kernel has handed it to an unrelated process. Killed when the test finishes.
 *
 * @example
 * ```ts
 * const pid = await spawnUnrelatedProcess();
 * signalRuntime(pid, 'SIGTERM', 'process'); // false: not a runtime
 * ```
 */
export async function spawnUnrelatedProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'console.log("ready"); setInterval(() => {}, 1000)'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  await once(child.stdout!, 'data');
  if (child.pid === undefined) throw new Error('the unrelated process has no pid');
  return child.pid;
}

/**
 * The pid of a process that has exited and been reaped: a pid nobody owns (until the kernel reuses
 * it, which takes a full wrap of the pid space).
 *
 * @example
 * ```ts
 * const pid = await deadPid();
 * isPidAlive(pid); // false
 * ```
 */
export async function deadPid(): Promise<number> {
  const child = spawn('true', [], { stdio: 'ignore' });
  await once(child, 'exit');
  if (child.pid === undefined) throw new Error('true has no pid');
  return child.pid;
}

/**
 * Resolves when `child` has exited, with its exit code and signal.
 *
 * @example
 * ```ts
 * const { signal } = await exited(child);
 * ```
 */
export async function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return { code: child.exitCode, signal: child.signalCode };
  }
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal };
}
