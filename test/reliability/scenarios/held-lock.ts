import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { STACK_FRAME } from '../../support/bad-input.js';
import { checkInvariants } from '../harness/check-invariants.js';
import { describeOutcome, type MsbOutcome, spawnMsb } from '../harness/msb-process.js';
import { mustRun } from '../harness/peek-home.js';
import type { SampleSize, Scenario, ScenarioContext } from '../harness/scenario.js';
import { type CheckedHome, summarize, type Trial } from '../harness/scenario-result.js';

const HOLD_WRITE_LOCK = fileURLToPath(new URL('../../fixtures/db/hold-write-lock.mjs', import.meta.url));

/** The writer's default busy budget (`DEFAULT_RETRY_POLICY`): a lock held longer must fail the write. */
const BUSY_BUDGET_MS = 10_000;

/** `forever`: held until every command has ended (each must give up after its budget), then SIGKILLed. */
type Hold = number | 'forever';

const SIZES: Record<SampleSize, readonly Hold[]> = {
  sample: ['forever'],
  quick: [6_000, 'forever'],
  full: [6_000, 'forever'],
};

const SLEEPER = ['--', 'sleep', '600'] as const;

/** Between the commands' starts: each is past its start-up reaper before the next one begins. */
const SPACING_MS = 1_000;

/**
 * Scenario 4: another process holds `BEGIN IMMEDIATE` on the database while `create`, `start`, `stop`,
 * `rm` and `kill` run (1 s apart), and a running runtime keeps sampling: for 6 s (within the 10 s busy
 * budget: every command must succeed), and until every command has ended (past any budget: each must
 * give up with exit 1 naming the busy database, not hang), then the holder dies by SIGKILL. Once the
 * lock is gone nothing may be left half-done.
 */
export const heldLock: Scenario = {
  name: 'held-lock',
  async run(ctx) {
    const homes: CheckedHome[] = [];
    for (const holdMs of SIZES[ctx.size]) homes.push(await underLock(ctx, holdMs));
    return { rows: summarize('held-lock', homes), homes };
  },
};

async function underLock(ctx: ScenarioContext, hold: Hold): Promise<CheckedHome> {
  const home = ctx.home('lock');
  const tag = hold === 'forever' ? 'until every command ended' : `for ${hold / 1000} s`;
  await mustRun(home, ['create', 'stop-me', '--metrics-interval', '100', ...SLEEPER]);
  await mustRun(home, ['create', 'kill-me', ...SLEEPER]);
  for (const name of ['start-me', 'rm-me']) {
    await mustRun(home, ['create', name, ...SLEEPER]);
    await mustRun(home, ['kill', name]);
  }
  const holder = spawn(process.execPath, [HOLD_WRITE_LOCK, join(home, 'db', 'msb.db'), String(hold)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const released = once(holder, 'exit');
  ctx.onDispose(() => {
    holder.kill('SIGKILL');
  });
  const [first] = (await once(holder.stdout, 'data')) as [Buffer];
  if (!first.toString().startsWith('locked')) throw new Error(`hold-write-lock.mjs said ${first.toString()}`);
  const lockedAt = performance.now();
  // Kill goes last: the runtime it SIGKILLs would make the reaper of any command started after it write
  // (and fail as busy) before that command does its own work.
  const all: [string, string[]][] = [
    ['create', ['create', 'new', ...SLEEPER]],
    ['start', ['start', 'start-me']],
    ['stop', ['stop', 'stop-me']],
    ['rm', ['rm', 'rm-me']],
    ['kill', ['kill', 'kill-me']],
  ];
  // A stop past the budget spends three budgets (the runtime's record, its retry, the host's own): 30 s
  // the vitest sample does without.
  const commands = all.filter(([verb]) => ctx.size !== 'sample' || verb !== 'stop');
  ctx.progress(`held-lock: write lock held ${tag}; running ${commands.map(([verb]) => verb).join(', ')}`);
  const running: Promise<MsbOutcome>[] = [];
  for (const [, args] of commands) {
    running.push(spawnMsb(home, args, { timeoutMs: 60_000 }).done);
    await sleep(SPACING_MS);
  }
  const outcomes = await Promise.all(running);
  if (hold === 'forever') holder.kill('SIGKILL');
  await released;
  const within = hold !== 'forever' && hold < BUSY_BUDGET_MS;
  ctx.progress(`held-lock: lock released after ${Math.round(performance.now() - lockedAt)} ms; checking`);
  const report = await checkInvariants(home, { mustExist: ['stop-me', 'kill-me', 'start-me'] });
  const trials = commands.map(([verb, args], i): Trial => {
    const outcome = outcomes[i]!;
    const name = args[1]!;
    const problems: string[] = [];
    const said = describeOutcome(outcome);
    if (STACK_FRAME.test(outcome.stderr)) problems.push(`msb ${verb} printed a stack trace`);
    if (within && outcome.code !== 0) problems.push(`msb ${verb} under a lock held ${tag}: ${said}`);
    // Past the budget a command fails as busy; a stop whose workload already exited fails instead after
    // its recording grace, saying another process holds the write lock (the runtime records later).
    const failedAsBusy = outcome.code === 1 && /busy|holds the database's write lock/i.test(outcome.stderr);
    if (!within && !failedAsBusy) {
      problems.push(`msb ${verb} under a lock held ${tag} did not fail as busy: ${said}`);
    }
    ctx.progress(`held-lock: ${tag}: msb ${verb} ${said} after ${Math.round(outcome.ms)} ms`);
    // What the sandbox became once the lock was gone and the reaper ran (the check's first step).
    const after = report.statuses[name] ?? 'gone';
    return {
      group: within
        ? `${verb} while another process holds the write lock ${tag} (within the 10 s busy budget)`
        : `${verb} while another process holds the write lock ${tag} (past the 10 s busy budget)`,
      sandboxes: [name],
      outcome: `${said.split(':')[0]} after ${(outcome.ms / 1000).toFixed(1)} s; "${name}" then ${after}`,
      problems,
    };
  });
  return { label: `lock ${tag}`, trials, report };
}
