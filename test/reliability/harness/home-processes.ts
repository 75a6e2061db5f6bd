import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { killGroup } from '../../../src/sandbox/kill-group.js';

/**
 * A live process that points into an msb home: its argv names a path in it, its working directory is
 * in it, or its environment sets `MSB_HOME` to it.
 *
 * @example
 * ```ts
 * const [runtime]: HomeProcess[] = runtimeProcesses(home, 'web');
 * ```
 */
export interface HomeProcess {
  readonly pid: number;
  readonly pgid: number;
  readonly argv: readonly string[];
  readonly cwd: string | null;
}

/**
 * Every live (non-zombie) process other than this one that points into `home`.
 *
 * @example
 * ```ts
 * expect(homeProcesses(home)).toEqual([]);
 * ```
 */
export function homeProcesses(home: string): HomeProcess[] {
  const found: HomeProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const info = readProcess(pid);
    if (info === undefined) continue;
    const inHome = (path: string): boolean => path === home || path.startsWith(`${home}/`);
    const pointsIn =
      info.argv.some((arg) => inHome(arg) || arg.includes(`=${home}/`)) ||
      (info.cwd !== null && inHome(info.cwd.replace(/ \(deleted\)$/, ''))) ||
      readEnviron(pid).includes(`MSB_HOME=${home}`);
    if (pointsIn) found.push(info);
  }
  return found;
}

/**
 * The runtime processes (`dist/runtime/main.cjs`) of `home`, of one sandbox when `sandbox` is given.
 *
 * @example
 * ```ts
 * const pids = runtimeProcesses(home, 'web').map((p) => p.pid);
 * ```
 */
export function runtimeProcesses(home: string, sandbox?: string): HomeProcess[] {
  return homeProcesses(home).filter((p) => isRuntimeOf(p, home, sandbox));
}

/** Whether `p` is a runtime of `home` (and of `sandbox`, when given), judged by its argv. */
export function isRuntimeOf(p: HomeProcess, home: string, sandbox?: string): boolean {
  const flag = (name: string): string | undefined => p.argv[p.argv.indexOf(name) + 1];
  return (
    p.argv.some((arg) => arg.endsWith('runtime/main.cjs')) &&
    flag('--home') === home &&
    (sandbox === undefined || flag('--sandbox') === sandbox)
  );
}

/**
 * SIGKILLs every process pointing into `home` (the whole group of one that leads its own, as runtimes
 * do, never this process's group), then waits up to `waitMs` for them to go. Returns the survivors.
 *
 * @example
 * ```ts
 * expect(await killHomeProcesses(home)).toEqual([]);
 * ```
 */
export async function killHomeProcesses(
  home: string,
  options: { readonly extraGroups?: readonly number[]; readonly waitMs?: number } = {},
): Promise<HomeProcess[]> {
  const ownGroup = readProcess(process.pid)?.pgid;
  for (const pgid of options.extraGroups ?? []) if (pgid > 1 && pgid !== ownGroup) killGroup(pgid);
  const deadline = performance.now() + (options.waitMs ?? 3_000);
  for (;;) {
    const left = homeProcesses(home);
    if (left.length === 0 || performance.now() > deadline) return left;
    for (const p of left) {
      if (p.pgid === p.pid && p.pgid !== ownGroup) killGroup(p.pgid);
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await sleep(50);
  }
}

function readProcess(pid: number): HomeProcess | undefined {
  let stat: string;
  let cmdline: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
  const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (state === 'Z' || state === 'X') return undefined;
  let cwd: string | null;
  try {
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    cwd = null;
  }
  return { pid, pgid: Number(pgrp), argv: cmdline.split('\0').filter((a) => a !== ''), cwd };
}

function readEnviron(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return [];
  }
}
