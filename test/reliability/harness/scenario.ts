import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killHomeProcesses } from './home-processes.js';
import type { CheckedHome, ScenarioResult } from './scenario-result.js';
import { SeededRandom } from './seeded-random.js';

/** How many trials: the vitest sample, `--quick`, or the full hand-run suite. */
export type SampleSize = 'sample' | 'quick' | 'full';

/**
 * What a scenario gets: its random source, its size, a way to report progress and fresh homes.
 *
 * @example
 * ```ts
 * const home = ctx.home('create-kills');
 * const delayMs = ctx.rng.int(0, 700);
 * ```
 */
export interface ScenarioContext {
  readonly rng: SeededRandom;
  readonly size: SampleSize;
  readonly progress: (line: string) => void;
  /** A fresh empty `MSB_HOME`; it and every process pointing into it go when the scenario ends. */
  home(label: string): string;
  /** Runs when the scenario ends, before its homes are removed (a lock holder, a mount namespace). */
  onDispose(fn: () => void | Promise<void>): void;
}

/**
 * What a scenario found: its table rows and, for the JSON record, every trial and check.
 *
 * @example
 * ```ts
 * const { rows }: ScenarioOutcome = await runScenario(cliKills, { seed: 1, size: 'sample' });
 * ```
 */
export interface ScenarioOutcome {
  readonly rows: readonly ScenarioResult[];
  readonly homes: readonly CheckedHome[];
  /** Processes that outlived the final SIGKILL of the scenario's homes (should be none). */
  readonly survivors?: readonly string[];
}

/**
 * A fault scenario: a reusable async function over a context, run by the vitest sample and by
 * `npm run reliability`.
 *
 * @example
 * ```ts
 * export const corruptDb: Scenario = { name: 'corrupt-db', run: async (ctx) => ({ rows: [], homes: [] }) };
 * ```
 */
export interface Scenario {
  readonly name: string;
  readonly run: (ctx: ScenarioContext) => Promise<ScenarioOutcome>;
}

/**
 * Runs one scenario with a random source seeded from `seed` and the scenario's name (so a scenario draws
 * the same delays whether it runs alone or after others), then kills whatever still points into its
 * homes and removes them.
 *
 * @example
 * ```ts
 * const { rows } = await runScenario(cliKills, { seed: 1, size: 'sample' });
 * expect(rows.filter((r) => !r.ok)).toEqual([]);
 * ```
 */
export async function runScenario(
  scenario: Scenario,
  options: { readonly seed: number; readonly size: SampleSize; readonly progress?: (line: string) => void },
): Promise<ScenarioOutcome> {
  const homes: string[] = [];
  const disposers: (() => void | Promise<void>)[] = [];
  const cleanup = { homes, disposers };
  running.add(cleanup);
  const ctx: ScenarioContext = {
    rng: new SeededRandom(options.seed ^ hash(scenario.name)),
    size: options.size,
    progress: options.progress ?? (() => {}),
    home(label) {
      const home = mkdtempSync(join(tmpdir(), `msb-rel-${label}-`));
      homes.push(home);
      return home;
    },
    onDispose(fn) {
      disposers.push(fn);
    },
  };
  try {
    const outcome = await scenario.run(ctx);
    return { ...outcome, survivors: await dispose(homes, disposers) };
  } catch (err) {
    await dispose(homes, disposers);
    throw err;
  } finally {
    running.delete(cleanup);
  }
}

const running = new Set<{ homes: string[]; disposers: (() => void | Promise<void>)[] }>();

/**
 * Kills the processes of, and removes, every home of the scenarios still running (for an interrupted
 * suite: SIGINT must not leave runtimes, a lock holder or a mount behind).
 *
 * @example
 * ```ts
 * process.once('SIGINT', () => void abortScenarios().then(() => process.exit(130)));
 * ```
 */
export async function abortScenarios(): Promise<void> {
  for (const { homes, disposers } of running) await dispose(homes, disposers);
}

async function dispose(homes: readonly string[], disposers: readonly (() => void | Promise<void>)[]) {
  const survivors: string[] = [];
  // Processes first: a lock holder or a mount must outlast what still uses it.
  for (const home of homes) {
    for (const p of await killHomeProcesses(home)) survivors.push(`${p.pid} ${p.argv.join(' ')}`);
  }
  for (const fn of disposers.toReversed()) await fn();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
  return survivors;
}

function hash(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}
