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
  sample: { create: 3, start: 2, watched: 1, stop: 2, rm: 2, fresh: 1 },
  quick: { create: 8, start: 5, watched: 2, stop: 5, rm: 5, fresh: 3 },
  full: { create: 40, start: 25, watched: 5, stop: 22, rm: 20, fresh: 10 },
} as const;

// Kills land uniformly between the spawn and this much past the command's own (measured) duration.
const WINDOW_FACTOR = 1.15;

const WORKLOAD = ['--', 'sleep', '600'] as const;

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
    const createMs = await timed(home, ['create', 'keep', ...WORKLOAD]);
    const trials = await killCreates(ctx, home, size.create + size.watched, size.watched, createMs);
    // Each later round times one un-killed run of its command (on its "cal-" sandbox) to size its window.
    const stopped = await prepare(ctx, home, 's', size.start + size.watched, 'stopped');
    const startMs = await timed(home, ['start', 'cal-s']);
    trials.push(...(await killCommand(ctx, home, 'start', stopped, startMs, size.watched)));
    const running = await prepare(ctx, home, 't', size.stop, 'running');
    trials.push(...(await killCommand(ctx, home, 'stop', running, await timed(home, ['stop', 'cal-t']))));
    const removable = await prepare(ctx, home, 'r', size.rm, 'stopped');
    trials.push(...(await killCommand(ctx, home, 'rm', removable, await timed(home, ['rm', 'cal-r']))));
    const mustExist = ['keep', 'cal-s', 'cal-t', ...stopped, ...running];
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

/** `count` create kills, the last `watched` of them as the row appears, the others at random. */
async function killCreates(
  ctx: ScenarioContext,
  home: string,
  count: number,
  watched: number,
  commandMs: number,
): Promise<Trial[]> {
  const trials: Trial[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `c${i}`;
    const child = spawnMsb(home, ['create', name, ...WORKLOAD]);
    const delayMs =
      i > count - watched
        ? await killOnStatus(child, home, name, 'Running')
        : await killAfter(child, ctx.rng.int(0, Math.round(commandMs * WINDOW_FACTOR)));
    const outcome = await child.done;
    const peek = peekSandbox(home, name);
    const booting = runtimeProcesses(home, name).length > 0;
    const group =
      outcome.code === 0
        ? 'create finished before the kill'
        : peek.row === undefined
          ? peek.dirExists
            ? 'create killed after making the sandbox directory, before the insert'
            : 'create killed before making the sandbox directory'
          : peek.runs > 0
            ? "create killed after the runtime's claim, before its ready report"
            : booting
              ? 'create killed while the runtime booted, before its claim'
              : 'create killed after the insert, before the runtime was spawned';
    trials.push({ group, sandboxes: [name], delayMs, outcome: describeOutcome(outcome), problems: [] });
    ctx.progress(`cli-kill: create ${i}/${count} killed at ${delayMs} ms: ${group}`);
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

/** Sandboxes `<prefix>1…n` and `cal-<prefix>`, each left Running or Stopped (killed), for the kills. */
async function prepare(
  ctx: ScenarioContext,
  home: string,
  prefix: string,
  count: number,
  state: 'running' | 'stopped',
): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
  ctx.progress(`cli-kill: preparing ${count + 1} ${state} sandboxes`);
  for (const name of [...names, `cal-${prefix}`]) {
    await mustRun(home, ['create', name, ...WORKLOAD]);
    if (state === 'stopped') await mustRun(home, ['kill', name]);
  }
  return names;
}

/** One kill of `msb <command>` per name, the last `watched` (start only) as the row turns Running. */
async function killCommand(
  ctx: ScenarioContext,
  home: string,
  command: 'start' | 'stop' | 'rm',
  names: readonly string[],
  commandMs: number,
  watched = 0,
): Promise<Trial[]> {
  const trials: Trial[] = [];
  for (const [i, name] of names.entries()) {
    const before = peekSandbox(home, name);
    const child = spawnMsb(home, [command, name]);
    const delayMs =
      i >= names.length - watched
        ? await killOnStatus(child, home, name, 'Running')
        : await killAfter(child, ctx.rng.int(0, Math.round(commandMs * WINDOW_FACTOR)));
    const outcome = await child.done;
    const group = await landedAt(home, command, name, before.runs, outcome.code === 0);
    trials.push({ group, sandboxes: [name], delayMs, outcome: describeOutcome(outcome), problems: [] });
    ctx.progress(`cli-kill: ${command} ${i + 1}/${names.length} killed at ${delayMs} ms: ${group}`);
  }
  return trials;
}

async function landedAt(
  home: string,
  command: 'start' | 'stop' | 'rm',
  name: string,
  runsBefore: number,
  finished: boolean,
): Promise<string> {
  if (finished) return `${command} finished before the kill`;
  const peek = peekSandbox(home, name);
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
