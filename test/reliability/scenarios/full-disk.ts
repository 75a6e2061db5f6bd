import { execFile } from 'node:child_process';
import { closeSync, openSync, rmSync, symlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { isRuntimeAlive } from '../../../src/host/processes.js';
import { STACK_FRAME } from '../../support/bad-input.js';
import { buildOciLayout } from '../../support/build-oci-layout.js';
import { checkInvariants } from '../harness/check-invariants.js';
import { describeOutcome, type MsbOutcome, runMsb } from '../harness/msb-process.js';
import { mustRun, peekSandbox } from '../harness/peek-home.js';
import type { Scenario, ScenarioContext } from '../harness/scenario.js';
import { type CheckedHome, summarize, type Trial } from '../harness/scenario-result.js';
import { mountSmallFilesystem } from '../harness/small-filesystem.js';

const HOST_PAGE_LIMIT = fileURLToPath(
  new URL('../../fixtures/reliability/host-page-limit.mjs', import.meta.url),
);
const SLEEPER = ['--', 'sleep', '600'] as const;

/**
 * Scenario 5: a full disk, three ways.
 * 1. The whole msb home on a small tmpfs (where this process may mount one) filled to the last byte, the WAL
 *    checkpointed away first so the database must grow: create, start, stop, rm and ls on it, with a
 *    runtime sampling every 100 ms meanwhile; then the space is freed.
 * 2. A host whose writer hits `SQLITE_FULL` (its connection's `max_page_count` pinned to the current
 *    size): a create with a large config and an image import.
 * 3. `/dev/full` (every write ENOSPC) as a runtime's log, and as a workload's stdout.
 */
export const fullDisk: Scenario = {
  name: 'full-disk',
  async run(ctx) {
    const homes: CheckedHome[] = [];
    homes.push(await fullTmpfs(ctx));
    // One home for the other two: their problems are told apart by sandbox name.
    const home = ctx.home('full');
    const trials = [...(await pageLimit(ctx, home)), ...(await devFull(ctx, home))];
    const report = await checkInvariants(home, { mustExist: ['keep', 'log-full', 'out-full'] });
    homes.push({ label: 'page limit and /dev/full', trials, report });
    return { rows: summarize('full-disk', homes), homes };
  },
};

async function fullTmpfs(ctx: ScenarioContext): Promise<CheckedHome> {
  const home = ctx.home('tmpfs');
  const unmount = await mountSmallFilesystem(home, 8 << 20);
  if (typeof unmount === 'string') {
    ctx.progress(`full-disk: ${unmount}; the tmpfs case is left out`);
    return {
      label: 'tmpfs',
      trials: [
        { group: 'the home on a full tmpfs', sandboxes: [], outcome: `not run: ${unmount}`, problems: [] },
      ],
      report: await checkInvariants(home),
    };
  }
  ctx.onDispose(unmount);
  await mustRun(home, ['create', 'sampling', '--metrics-interval', '100', ...SLEEPER]);
  const samplerPid = peekSandbox(home, 'sampling').runningRun?.pid;
  for (const name of ['restart-me', 'rm-me']) {
    await mustRun(home, ['create', name, ...SLEEPER]);
    await mustRun(home, ['kill', name]);
  }
  // An emptied WAL: the next commit has to grow a file, and the disk has no room left for it.
  const db = new Database(join(home, 'db', 'msb.db'));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const filled = fill(join(home, 'filler'));
  ctx.progress(`full-disk: tmpfs home filled (${filled} more bytes fitted); running commands on it`);
  const trials: Trial[] = [];
  const attempt = async (verb: string, args: readonly string[], sandbox: string | null): Promise<void> => {
    const outcome = await runMsb(home, args);
    trials.push(judged(`msb ${verb} with the home on a full tmpfs`, sandbox, outcome, [0, 1]));
    ctx.progress(`full-disk: tmpfs: msb ${verb}: ${describeOutcome(outcome)}`);
  };
  await attempt('create', ['create', 'new', ...SLEEPER], 'new');
  await attempt('start', ['start', 'restart-me'], 'restart-me');
  await sleep(1_500);
  // Its samples cannot be stored: it should go on supervising its workload, not die.
  const alive = samplerPid !== undefined && isRuntimeAlive(samplerPid);
  trials.push({
    group: 'a runtime sampling every 100 ms on a full tmpfs, 1.5 s later',
    sandboxes: ['sampling'],
    outcome: alive ? 'runtime alive' : 'runtime dead',
    problems: alive
      ? []
      : ['the runtime of "sampling" died when its samples could not be stored (full disk)'],
  });
  await attempt('stop', ['stop', 'sampling'], 'sampling');
  await attempt('rm', ['rm', 'rm-me'], 'rm-me');
  await attempt('ls', ['ls'], null);
  rmSync(join(home, 'filler'));
  ctx.progress('full-disk: tmpfs space freed; checking');
  const report = await checkInvariants(home, { mustExist: ['sampling', 'restart-me'] });
  return { label: 'tmpfs', trials, report };
}

async function pageLimit(ctx: ScenarioContext, home: string): Promise<Trial[]> {
  await mustRun(home, ['create', 'keep', ...SLEEPER]);
  const layout = buildOciLayout(join(home, 'layout'), { labels: { padding: 'x'.repeat(64 * 1024) } });
  const trials: Trial[] = [];
  for (const [what, args, sandbox] of [
    ['create with a 64 KiB environment', ['create', 'big'], 'big'],
    ['image import with a 64 KiB label', ['import', layout.dir, 'padded:1'], null],
  ] as const) {
    const { stdout } = await promisify(execFile)(process.execPath, [HOST_PAGE_LIMIT, home, ...args]);
    const result = JSON.parse(stdout) as { ok: boolean; code?: string; message?: string };
    const problems =
      result.ok || result.code === 'SQLITE_FULL'
        ? []
        : [`${what} at the page limit failed with ${result.code}: ${result.message}`];
    trials.push({
      group: `host ${what}, its writer at the database's page limit (SQLITE_FULL)`,
      sandboxes: sandbox === null ? [] : [sandbox],
      outcome: result.ok ? 'succeeded' : `rejected: ${result.code}`,
      problems,
    });
    ctx.progress(`full-disk: page limit: ${what}: ${result.ok ? 'succeeded' : result.code}`);
  }
  rmSync(layout.dir, { recursive: true, force: true });
  return trials;
}

async function devFull(ctx: ScenarioContext, home: string): Promise<Trial[]> {
  const trials: Trial[] = [];
  await mustRun(home, ['create', 'log-full', ...SLEEPER]);
  await mustRun(home, ['kill', 'log-full']);
  const log = join(home, 'sandboxes', 'log-full', 'runtime.log');
  rmSync(log);
  symlinkSync('/dev/full', log);
  const start = await runMsb(home, ['start', 'log-full']);
  trials.push(judged('msb start with the runtime log on /dev/full', 'log-full', start, [0, 1]));
  await sleep(1_000);
  const after = peekSandbox(home, 'log-full');
  const alive = after.row?.status === 'Running' && after.runningRun !== undefined;
  trials.push({
    group: 'a runtime whose log is /dev/full, 1 s after its start',
    sandboxes: ['log-full'],
    outcome: `status ${after.row?.status ?? 'gone'}`,
    problems:
      start.code === 0 && !alive
        ? [
            `the runtime reported ready, then its sandbox became ${after.row?.status} with its log on /dev/full`,
          ]
        : [],
  });
  const stop = await runMsb(home, ['stop', 'log-full']);
  trials.push(judged('msb stop with the runtime log on /dev/full', 'log-full', stop, alive ? [0] : [0, 4]));
  ctx.progress(`full-disk: /dev/full log: start ${describeOutcome(start)}; stop ${describeOutcome(stop)}`);

  const chatty = ['--', 'sh', '-c', 'while :; do echo tick || exit 3; sleep 0.05; done'];
  await mustRun(home, ['create', 'out-full', ...chatty]);
  await mustRun(home, ['kill', 'out-full']);
  const stdout = join(home, 'sandboxes', 'out-full', 'stdout.log');
  rmSync(stdout);
  symlinkSync('/dev/full', stdout);
  const started = await runMsb(home, ['start', 'out-full']);
  trials.push(judged("msb start with the workload's stdout on /dev/full", 'out-full', started, [0, 1]));
  await sleep(1_000);
  const ended = peekSandbox(home, 'out-full');
  trials.push({
    group: 'a workload whose stdout is /dev/full (it exits 3 on a failed write), 1 s after its start',
    sandboxes: ['out-full'],
    outcome: `status ${ended.row?.status ?? 'gone'}`,
    problems:
      ended.row?.status === 'Stopped' ? [] : [`sandbox out-full is ${ended.row?.status}, not Stopped`],
  });
  ctx.progress(`full-disk: /dev/full stdout: start ${describeOutcome(started)}; then ${ended.row?.status}`);
  return trials;
}

/** A trial of a command that must end with one of `allowed` exit codes, without a stack trace. */
function judged(
  group: string,
  sandbox: string | null,
  outcome: MsbOutcome,
  allowed: readonly number[],
): Trial {
  const problems: string[] = [];
  if (outcome.code === null || !allowed.includes(outcome.code))
    problems.push(`${group}: ${describeOutcome(outcome)}`);
  if (STACK_FRAME.test(outcome.stderr)) problems.push(`${group}: printed a stack trace`);
  return { group, sandboxes: sandbox === null ? [] : [sandbox], outcome: describeOutcome(outcome), problems };
}

/** Appends to `file` until the file system says ENOSPC; returns how many bytes fitted. */
function fill(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  let written = 0;
  try {
    for (;;) {
      try {
        written += writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw err;
      }
    }
    // The last partial chunk may have left a few bytes: fill those too.
    for (const size of [4096, 512, 1]) {
      for (;;) {
        try {
          written += writeSync(fd, chunk.subarray(0, size));
        } catch {
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}
