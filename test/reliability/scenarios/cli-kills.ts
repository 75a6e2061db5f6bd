import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as setImmediateP, setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { latestSchemaVersion } from '../../../src/db/index.js';
import { checkInvariants } from '../harness/check-invariants.js';
import { runtimeProcesses } from '../harness/home-processes.js';
import { describeOutcome, type MsbProcess, spawnMsb } from '../harness/msb-process.js';
import { mustRun, peekSandbox } from '../harness/peek-home.js';
import type { Scenario, ScenarioContext } from '../harness/scenario.js';
import { type CheckedHome, summarize, type Trial } from '../harness/scenario-result.js';

// `watched`: of the create and start kills, how many strike the moment the row says Running (the few
// milliseconds before the runtime is spawned, which random delays seldom hit) instead of at random.
const SIZES = {
  sample: { create: 2, start: 1, watched: 1, stop: 1, rm: 1, fresh: 1 },
  quick: { create: 8, start: 5, watched: 2, stop: 5, rm: 5, fresh: 3 },
  full: { create: 40, start: 25, watched: 5, stop: 22, rm: 20, fresh: 10 },
} as const;

// Kills land uniformly between the spawn and this much past the command's own (measured) duration.
const WINDOW_FACTOR = 1.15;

const WORKLOAD = ['--', 'sleep', '600'] as const;

type Command = 'create' | 'start' | 'stop' | 'rm';

/** When a kill strikes: at a uniform random point of the command's measured duration, or as watched. */
type KillAt = { readonly withinMs: number } | 'watched';

/**
 * Scenario 1: SIGKILL of the `msb` CLI at a random point of `create`, `start`, `stop` and `rm` (and of
 * the first command on a fresh home, while it creates and migrates the database). Each kill is grouped
 * by where it landed, as seen right after it (row, directory, runtime process, run).
 */
export const cliKills: Scenario = {
  name: 'cli-kill',
  async run(ctx) {
    const size = SIZES[ctx.size];
    // One home for every round: its check then waits out the ready timeout (if it must) only once.
    const home = ctx.home('cli-kills');
    // The watched kills first: the ready timeout of a sandbox they strand runs out while the rest run.
    const createMs = await timed(home, ['create', 'keep', ...WORKLOAD]);
    const watchedCreates = names('cw', size.watched);
    const watchedStarts = await prepare(ctx, home, names('sw', size.watched), 'stopped');
    const trials = [
      ...(await killRound(ctx, home, 'create', watchedCreates, 'watched')),
      ...(await killRound(ctx, home, 'start', watchedStarts, 'watched')),
    ];
    // Each random round's window is sized by one un-killed run of its command (on a "cal-" sandbox).
    const window = (ms: number): KillAt => ({ withinMs: Math.round(ms * WINDOW_FACTOR) });
    const stopped = await prepare(ctx, home, [...names('s', size.start), 'cal-s'], 'stopped');
    const startAt = window(await timed(home, ['start', 'cal-s']));
    const running = await prepare(ctx, home, [...names('t', size.stop), 'cal-t'], 'running');
    const stopAt = window(await timed(home, ['stop', 'cal-t']));
    const removable = await prepare(ctx, home, [...names('r', size.rm), 'cal-r'], 'stopped');
    const rmAt = window(await timed(home, ['rm', 'cal-r']));
    trials.push(
      ...(await killRound(ctx, home, 'create', names('c', size.create), window(createMs))),
      ...(await killRound(ctx, home, 'start', without(stopped, 'cal-s'), startAt)),
      ...(await killRound(ctx, home, 'stop', without(running, 'cal-t'), stopAt)),
      ...(await killRound(ctx, home, 'rm', without(removable, 'cal-r'), rmAt)),
    );
    const mustExist = ['keep', ...watchedStarts, ...stopped, ...running];
    const checks: Promise<CheckedHome>[] = [
      checkInvariants(home, { mustExist }).then((report) => ({
        label: 'create, start, stop, rm',
        trials,
        report,
      })),
    ];

    // The first command on a fresh home, killed while it creates and migrates the database.
    const lsMs = await timed(ctx.home('fresh-kills'), ['ls']);
    for (let i = 1; i <= size.fresh; i++) {
      const fresh = ctx.home('fresh-kills');
      const trial = await killFirstCommand(ctx, fresh, i, size.fresh, lsMs);
      checks.push(
        checkInvariants(fresh).then((report) => ({ label: `fresh ${i}`, trials: [trial], report })),
      );
    }
    const homes = await Promise.all(checks);
    return { rows: summarize('cli-kill', homes), homes };
  },
};

/**
 * One kill of `msb <command> <name>` per name, each at a random point of `at.withinMs` or, `watched`,
 * the moment the sandbox's row says Running (create and start only).
 */
async function killRound(
  ctx: ScenarioContext,
  home: string,
  command: Command,
  names: readonly string[],
  at: KillAt,
): Promise<Trial[]> {
  const trials: Trial[] = [];
  for (const [i, name] of names.entries()) {
    const runsBefore = peekSandbox(home, name).runs;
    const child = spawnMsb(home, command === 'create' ? ['create', name, ...WORKLOAD] : [command, name]);
    const delayMs =
      at === 'watched'
        ? await killOnStatus(child, home, name, 'Running')
        : await killAfter(child, ctx.rng.int(0, at.withinMs));
    const outcome = await child.done;
    const group = await landedAt(home, command, name, runsBefore, outcome.code === 0);
    trials.push({ group, sandboxes: [name], delayMs, outcome: describeOutcome(outcome), problems: [] });
    const how = at === 'watched' ? 'as its row said Running' : 'at random';
    ctx.progress(`cli-kill: ${command} ${i + 1}/${names.length} killed ${how} at ${delayMs} ms: ${group}`);
  }
  return trials;
}

/** SIGKILLs `child` after `delayMs`; returns the delay. */
async function killAfter(child: MsbProcess, delayMs: number): Promise<number> {
  await sleep(delayMs);
  child.kill();
  return delayMs;
}

/**
 * SIGKILLs `child` the moment the row of `name` shows `status` (read on every turn of the event loop
 * through one read-only connection), or once it has exited; returns the milliseconds since the call.
 */
async function killOnStatus(child: MsbProcess, home: string, name: string, status: string): Promise<number> {
  const began = performance.now();
  let exited = false;
  void child.done.then(() => {
    exited = true;
  });
  const db = new Database(join(home, 'db', 'msb.db'), { readonly: true });
  try {
    const select = db.prepare('SELECT status FROM sandbox WHERE name = ?').pluck();
    while (!exited && select.get(name) !== status && performance.now() - began < 30_000)
      await setImmediateP();
    child.kill();
  } finally {
    db.close();
  }
  return Math.round(performance.now() - began);
}

/** How long a setup command that must succeed took. */
async function timed(home: string, args: readonly string[]): Promise<number> {
  const began = performance.now();
  await mustRun(home, args);
  return performance.now() - began;
}

/** `<prefix>1` … `<prefix><count>`. */
function names(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}

function without(list: readonly string[], name: string): string[] {
  return list.filter((n) => n !== name);
}

/** Creates each sandbox, killing it when it is to be left Stopped, for the kills to act on. */
async function prepare(
  ctx: ScenarioContext,
  home: string,
  sandboxes: readonly string[],
  state: 'running' | 'stopped',
): Promise<readonly string[]> {
  ctx.progress(`cli-kill: preparing ${sandboxes.length} ${state} sandboxes`);
  for (const name of sandboxes) {
    await mustRun(home, ['create', name, ...WORKLOAD]);
    if (state === 'stopped') await mustRun(home, ['kill', name]);
  }
  return sandboxes;
}

/** Where a kill landed, from the row, directory, runs and runtime processes right after it. */
async function landedAt(
  home: string,
  command: Command,
  name: string,
  runsBefore: number,
  finished: boolean,
): Promise<string> {
  if (finished) return `${command} finished before the kill`;
  const peek = peekSandbox(home, name);
  if (command === 'create') {
    if (peek.row === undefined) {
      return peek.dirExists
        ? 'create killed after making the sandbox directory, before the insert'
        : 'create killed before making the sandbox directory';
    }
    if (peek.runs > 0) return "create killed after the runtime's claim, before its ready report";
    return runtimeProcesses(home, name).length > 0
      ? 'create killed while the runtime booted, before its claim'
      : 'create killed after the insert, before the runtime was spawned';
  }
  if (command === 'start') {
    if (peek.row?.status !== 'Running') return 'start killed before marking the sandbox Running';
    if (peek.runs > runsBefore) return "start killed after the runtime's claim, before its ready report";
    return runtimeProcesses(home, name).length > 0
      ? 'start killed while the runtime booted, before its claim'
      : 'start killed after marking the sandbox Running, before the runtime was spawned';
  }
  if (command === 'rm') {
    if (peek.row !== undefined) return 'rm killed before deleting the row';
    return peek.dirExists
      ? 'rm killed after deleting the row, before removing the directory'
      : 'rm killed after removing the directory, before exiting';
  }
  // A runtime that got its SIGTERM is gone well within half a second (its workload is a plain sleep).
  await sleep(500);
  const after = peekSandbox(home, name);
  if (after.runningRun !== undefined && runtimeProcesses(home, name).length > 0) {
    return 'stop killed before signalling the runtime';
  }
  return after.row?.status === 'Stopped'
    ? 'stop killed after signalling the runtime (it recorded the stop)'
    : 'stop killed after signalling the runtime (sandbox not Stopped)';
}

/** The first command on a fresh home killed while it creates and migrates the database. */
async function killFirstCommand(
  ctx: ScenarioContext,
  home: string,
  i: number,
  count: number,
  commandMs: number,
): Promise<Trial> {
  const delayMs = ctx.rng.int(0, Math.round(commandMs * WINDOW_FACTOR));
  const child = spawnMsb(home, ['ls']);
  await sleep(delayMs);
  child.kill();
  const outcome = await child.done;
  const version = migratedVersion(home);
  const group =
    outcome.code === 0
      ? 'first command (ls) on a fresh home finished before the kill'
      : version === undefined
        ? 'first command (ls) on a fresh home killed before creating the database'
        : version < latestSchemaVersion()
          ? `first command (ls) on a fresh home killed while migrating (at version ${version})`
          : 'first command (ls) on a fresh home killed after migrating';
  ctx.progress(`cli-kill: fresh home ${i}/${count} killed at ${delayMs} ms: ${group}`);
  return { group, sandboxes: [], delayMs, outcome: describeOutcome(outcome), problems: [] };
}

function migratedVersion(home: string): number | undefined {
  const path = join(home, 'db', 'msb.db');
  if (!existsSync(path)) return undefined;
  const db = new Database(path, { readonly: true });
  try {
    const ledger = db.prepare("SELECT 1 FROM sqlite_master WHERE name = '_msb_migrations'").get();
    if (ledger === undefined) return 0;
    return (db.prepare('SELECT count(*) FROM _msb_migrations').pluck().get() as number) ?? 0;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}
