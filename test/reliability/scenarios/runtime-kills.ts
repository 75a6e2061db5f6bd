import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkInvariants } from '../harness/check-invariants.js';
import { type HomeProcess, runtimeProcesses } from '../harness/home-processes.js';
import { describeOutcome, type MsbProcess, spawnMsb } from '../harness/msb-process.js';
import { mustRun, peekSandbox } from '../harness/peek-home.js';
import type { Scenario, ScenarioContext } from '../harness/scenario.js';
import { summarize, type Trial } from '../harness/scenario-result.js';

const SIZES = {
  sample: { create: 1, start: 1, life: 1, stop: 1 },
  quick: { create: 5, start: 3, life: 3, stop: 3 },
  full: { create: 22, start: 12, life: 10, stop: 10 },
} as const;

const SLEEPER = ['--', 'sleep', '600'] as const;
// A workload that marks its SIGTERM in its directory, then takes 300 ms to exit: a stop's window.
const SLOW_TO_STOP = [
  '--',
  'sh',
  '-c',
  'trap "touch got-sigterm; sleep 0.3; exit 0" TERM; while :; do sleep 0.05; done',
] as const;

/**
 * Scenario 2: SIGKILL of a runtime (the process alone, as a crash would) at a random point of its boot
 * (found in /proc by its argv as soon as it exists), of its life, and of a `msb stop`.
 */
export const runtimeKills: Scenario = {
  name: 'runtime-kill',
  async run(ctx) {
    const size = SIZES[ctx.size];
    // One home for every window: problems are told apart by sandbox name (b, p, l, q).
    const home = ctx.home('runtime-kills');
    const trials: Trial[] = [];
    for (let i = 1; i <= size.create; i++) {
      const name = `b${i}`;
      trials.push(await killDuringBoot(ctx, home, name, ['create', name, ...SLEEPER], 'create'));
    }
    const stopped = Array.from({ length: size.start }, (_, i) => `p${i + 1}`);
    for (const name of stopped) {
      await mustRun(home, ['create', name, ...SLEEPER]);
      await mustRun(home, ['kill', name]);
    }
    for (const name of stopped) trials.push(await killDuringBoot(ctx, home, name, ['start', name], 'start'));
    const living = Array.from({ length: size.life }, (_, i) => `l${i + 1}`);
    for (const name of living) trials.push(await killDuringLife(ctx, home, name));
    const stopping = Array.from({ length: size.stop }, (_, i) => `q${i + 1}`);
    for (const name of stopping) trials.push(await killDuringStop(ctx, home, name));
    const report = await checkInvariants(home, { mustExist: [...stopped, ...living, ...stopping] });
    const homes = [{ label: 'runtime kills', trials, report }];
    return { rows: summarize('runtime-kill', homes), homes };
  },
};

/** Runs `msb <args>`, finds its runtime as soon as it exists, and SIGKILLs it 0–400 ms later. */
async function killDuringBoot(
  ctx: ScenarioContext,
  home: string,
  name: string,
  args: readonly string[],
  command: 'create' | 'start',
): Promise<Trial> {
  const runsBefore = peekSandbox(home, name).runs;
  const delayMs = ctx.rng.int(0, 400);
  const cli = spawnMsb(home, args);
  const runtime = await findRuntime(home, name, cli);
  if (runtime === undefined) {
    const outcome = await cli.done;
    return {
      group: `runtime of ${command} never seen`,
      sandboxes: [name],
      outcome: describeOutcome(outcome),
      problems: [`no runtime process appeared for ${name}: ${describeOutcome(outcome)}`],
    };
  }
  await sleep(delayMs);
  const finished = cli.stdout() !== '';
  const claimed = peekSandbox(home, name).runs > runsBefore;
  kill(runtime.pid);
  const outcome = await cli.done;
  const group = finished
    ? `runtime killed right after its ready report (${command})`
    : claimed
      ? `runtime killed after its claim, before its ready report (${command})`
      : `runtime killed while booting, before its claim (${command})`;
  ctx.progress(`runtime-kill: ${command} ${name} runtime killed ${delayMs} ms after it appeared: ${group}`);
  // The CLI must say what happened: ready (exit 0) or that the runtime did not start (exit 1).
  const problems =
    outcome.code === 0 || (outcome.code === 1 && /runtime did not start/.test(outcome.stderr))
      ? []
      : [`msb ${command} ${name} answered ${describeOutcome(outcome)}`];
  return {
    group,
    sandboxes: [name],
    delayMs,
    delayFrom: 'the runtime appeared',
    outcome: describeOutcome(outcome),
    problems,
  };
}

async function killDuringLife(ctx: ScenarioContext, home: string, name: string): Promise<Trial> {
  await mustRun(home, ['create', name, '--metrics-interval', '50', ...SLEEPER]);
  const pid = peekSandbox(home, name).runningRun?.pid;
  const delayMs = ctx.rng.int(0, 1500);
  await sleep(delayMs);
  if (pid !== undefined) kill(pid);
  ctx.progress(`runtime-kill: ${name} runtime killed ${delayMs} ms into its life`);
  return {
    group: 'runtime killed while running (sampling every 50 ms)',
    sandboxes: [name],
    delayMs,
    delayFrom: 'create returned',
    outcome: 'runtime killed',
    problems: pid === undefined ? [`${name} had no Running run after create`] : [],
  };
}

/** Runs `msb stop`, waits until the workload got its SIGTERM, then kills the runtime 0–500 ms later. */
async function killDuringStop(ctx: ScenarioContext, home: string, name: string): Promise<Trial> {
  await mustRun(home, ['create', name, ...SLOW_TO_STOP]);
  const pid = peekSandbox(home, name).runningRun?.pid;
  const delayMs = ctx.rng.int(0, 500);
  const cli = spawnMsb(home, ['stop', name]);
  const marker = join(home, 'sandboxes', name, 'got-sigterm');
  const deadline = performance.now() + 20_000;
  while (!existsSync(marker) && cli.stdout() === '' && performance.now() < deadline) await sleep(1);
  await sleep(delayMs);
  const recorded = peekSandbox(home, name).runningRun === undefined;
  if (pid !== undefined) kill(pid);
  const outcome = await cli.done;
  const group = recorded
    ? 'runtime killed during msb stop, after it recorded the exit'
    : 'runtime killed during msb stop (workload signalled), before it recorded the exit';
  ctx.progress(`runtime-kill: ${name} runtime killed ${delayMs} ms after its workload got SIGTERM: ${group}`);
  // Killed before it recorded the exit, the runtime took the exit with it: the honest answer is
  // EXIT_UNRECORDED (exit 1), never a plain "Stopped".
  const honest = recorded
    ? outcome.code === 0
    : outcome.code === 0 || (outcome.code === 1 && outcome.stderr.includes('[EXIT_UNRECORDED]'));
  const problems = honest ? [] : [`msb stop ${name} answered ${describeOutcome(outcome)}`];
  return {
    group,
    sandboxes: [name],
    delayMs,
    delayFrom: 'the workload got SIGTERM',
    outcome: describeOutcome(outcome),
    problems,
  };
}

/** Polls /proc (every millisecond) for the runtime of `name` until it appears or the CLI exits. */
async function findRuntime(home: string, name: string, cli: MsbProcess): Promise<HomeProcess | undefined> {
  let exited = false;
  void cli.done.then(() => {
    exited = true;
  });
  const deadline = performance.now() + 20_000;
  while (!exited && performance.now() < deadline) {
    const [runtime] = runtimeProcesses(home, name);
    if (runtime !== undefined) return runtime;
    await sleep(1);
  }
  return runtimeProcesses(home, name)[0];
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
