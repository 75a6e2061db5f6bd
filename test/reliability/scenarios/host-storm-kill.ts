import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setImmediate as setImmediateP, setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { checkInvariants } from '../harness/check-invariants.js';
import { runtimeProcesses } from '../harness/home-processes.js';
import { mustRun, peekSandbox } from '../harness/peek-home.js';
import type { Scenario, ScenarioContext } from '../harness/scenario.js';
import { type CheckedHome, summarize, type Trial } from '../harness/scenario-result.js';

const HOST_STORM = fileURLToPath(new URL('../../fixtures/reliability/host-storm.mjs', import.meta.url));

// `watched` storms are killed the moment their first row is committed (some sandboxes then have a row
// and no runtime yet, others only a directory); the others at a random point.
const SIZES = {
  sample: { watched: 1, random: 0, count: 6 },
  quick: { watched: 1, random: 1, count: 10 },
  full: { watched: 2, random: 3, count: 20 },
} as const;

/** Kills land within N × this after the open: storms insert and spawn everything in about that time. */
const MS_PER_CREATE = 30;

/**
 * Scenario 3: a host process (`createSandbox` from `src/host`) creating N sandboxes at once, SIGKILLed
 * mid-storm; each storm is one row, described by how far its creates had got.
 */
export const hostStormKill: Scenario = {
  name: 'host-storm-kill',
  async run(ctx) {
    const { watched, random, count } = SIZES[ctx.size];
    const storms = watched + random;
    const checks: Promise<CheckedHome>[] = [];
    for (let i = 1; i <= storms; i++) {
      const home = ctx.home('storm');
      await mustRun(home, ['create', 'keep', '--', 'sleep', '600']);
      const trial = await killStorm(ctx, home, count, i, storms, i <= watched);
      checks.push(
        checkInvariants(home, { mustExist: ['keep'] }).then((report) => ({
          label: `storm ${i}`,
          trials: [trial],
          report,
        })),
      );
    }
    const homes = await Promise.all(checks);
    return { rows: summarize('host-storm-kill', homes), homes };
  },
};

async function killStorm(
  ctx: ScenarioContext,
  home: string,
  count: number,
  i: number,
  storms: number,
  watched: boolean,
): Promise<Trial> {
  const host = spawn(process.execPath, [HOST_STORM, home, String(count)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  host.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  host.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const exited = once(host, 'exit');
  const deadline = performance.now() + 20_000;
  while (!stdout.includes('open\n') && host.exitCode === null && performance.now() < deadline) await sleep(1);
  const opened = performance.now();
  if (watched) {
    const db = new Database(join(home, 'db', 'msb.db'), { readonly: true });
    const first = db.prepare("SELECT 1 FROM sandbox WHERE name LIKE 'storm%'").pluck();
    while (first.get() === undefined && host.exitCode === null && performance.now() < deadline)
      await setImmediateP();
    db.close();
  } else {
    await sleep(ctx.rng.int(0, count * MS_PER_CREATE));
  }
  host.kill('SIGKILL');
  const delayMs = Math.round(performance.now() - opened);
  await exited;
  const names = Array.from({ length: count }, (_, k) => `storm${k + 1}`);
  const peeks = names.map((name) => peekSandbox(home, name));
  const inserted = peeks.filter((p) => p.row !== undefined).length;
  const claimed = peeks.filter((p) => p.runs > 0).length;
  const booting = names.filter((n, k) => peeks[k]!.runs === 0 && runtimeProcesses(home, n).length > 0).length;
  const ready = stdout.split('\n').filter((l) => l.startsWith('created ')).length;
  const group =
    `host killed mid-storm of ${count} creates (storm ${i}, ${watched ? 'as its first row was committed' : 'at random'}): ` +
    `${inserted} inserted, ${booting} runtimes booting, ${claimed} claimed, ${ready} ready`;
  ctx.progress(`host-storm-kill: storm ${i}/${storms} killed ${delayMs} ms after open: ${group}`);
  const problems = stdout.includes('open\n')
    ? []
    : [`the storm host never opened the database: ${stderr.trim()}`];
  return {
    group,
    sandboxes: names,
    delayMs,
    delayFrom: 'the host opened the database',
    outcome: 'host killed by SIGKILL',
    problems,
  };
}
