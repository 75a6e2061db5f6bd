import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { killGroup } from '../sandbox/kill-group.js';

/** Whether `pid` exists (`kill(pid, 0)` succeeds or says `EPERM`) and is not a zombie. */
export function isPidAlive(pid: number): boolean {
  if (!signalsZero(pid)) return false;
  const stat = readStat(pid);
  // Without procfs, kill(pid, 0) has already answered.
  return stat === undefined || !isDead(stat.state);
}

/** Whether `pid` leads its own process group, as a runtime does for its whole life (it starts detached). */
export function leadsOwnProcessGroup(pid: number): boolean {
  return readStat(pid)?.pgrp === pid;
}

/**
 * Whether a run's runtime is alive: the pid exists, is no zombie (a killed runtime nobody reaped never
 * records anything again) and still leads its own group (else the kernel gave the pid to someone else).
 * One read of `/proc/<pid>/stat`.
 */
export function isRuntimeAlive(pid: number): boolean {
  if (!signalsZero(pid)) return false;
  const stat = readStat(pid);
  return stat !== undefined && !isDead(stat.state) && stat.pgrp === pid;
}

/**
 * The one place the host signals runtimes. `'group'` signals the runtime's process group (see
 * `killGroup`: it reaches what is left of a dead runtime, never an unrelated process); `'process'` the
 * runtime alone, so it can forward a graceful signal to its workload, and only while the pid still leads
 * its group (a reused pid is treated as gone). Returns whether anything received the signal.
 */
export function signalRuntime(pid: number, signal: NodeJS.Signals, target: 'process' | 'group'): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 1)
    throw new RangeError(`signalRuntime: ${pid} is not a runtime pid`);
  if (target === 'group') return killGroup(pid, signal);
  if (!leadsOwnProcessGroup(pid)) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' || code === 'EPERM') return false;
    throw err;
  }
}

/** Whether process group `pgid` has a member other than its leader (a runtime's workload, say). */
export function groupHasOthers(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    // No procfs: assume the worst, that the workload is still there.
    return true;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isSafeInteger(pid) || pid === pgid) continue;
    const stat = readStat(pid);
    if (stat !== undefined && stat.pgrp === pgid && !isDead(stat.state)) return true;
  }
  return false;
}

/** Polls until `pid` is dead or `timeoutMs` has passed; resolves whether it died. */
export async function waitForPidExit(pid: number, timeoutMs: number, pollMs = 20): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (!isPidAlive(pid)) return true;
    const remaining = deadline - performance.now();
    if (remaining <= 0) return false;
    await sleep(Math.min(pollMs, remaining));
  }
}

/**
 * Resolves on a later turn of the event loop, one waiter per turn, in call order.
 *
 * `stopSandbox` and `killSandbox` start with it: 200 stops at once otherwise ran their synchronous first
 * steps in one go while the runtimes signalled first took the cores (2 s of wall time on 2 cores with no
 * timer or I/O served). Creates are left to run together: pacing them delayed the spawns.
 */
export function nextHostTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(releaseOne);
    }
  });
}

const waiting: (() => void)[] = [];
let scheduled = false;

function releaseOne(): void {
  waiting.shift()?.();
  // An immediate queued while immediates run waits for the next turn: I/O and timers come between.
  if (waiting.length > 0) setImmediate(releaseOne);
  else scheduled = false;
}

function signalsZero(pid: number): boolean {
  // 0 and negative numbers address process groups; they never name one runtime.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readStat(pid: number): { readonly state: string; readonly pgrp: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ')'.
  const [state = '', , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state, pgrp: Number(pgrp) };
}

function isDead(state: string): boolean {
  return state === 'Z' || state === 'X';
}
