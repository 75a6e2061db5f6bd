import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { STACK_FRAME } from '../../support/bad-input.js';
import { type BuiltOciLayout, buildOciLayout } from '../../support/build-oci-layout.js';
import { checkInvariants } from '../harness/check-invariants.js';
import { describeOutcome, spawnMsb } from '../harness/msb-process.js';
import { mustRun } from '../harness/peek-home.js';
import type { Scenario, ScenarioContext } from '../harness/scenario.js';
import { type CheckedHome, summarize, type Trial } from '../harness/scenario-result.js';

/** One hostile change to a valid layout; `outside` is a directory next to (not inside) the layout. */
interface Hostility {
  readonly name: string;
  /** How long the import may take before it counts as hung (short where a hang eats memory). */
  readonly timeoutMs: number;
  readonly apply: (layout: BuiltOciLayout, outside: string) => void;
}

const blob = (layout: BuiltOciLayout, digest: string): string =>
  join(layout.dir, 'blobs', 'sha256', digest.slice('sha256:'.length));

const replaceWith = (file: string, make: (file: string) => void): void => {
  rmSync(file);
  make(file);
};

const HOSTILITIES: readonly Hostility[] = [
  {
    name: 'its config blob a symlink to /dev/zero',
    timeoutMs: 3_000,
    apply: (l) => replaceWith(blob(l, l.configDigest), (f) => symlinkSync('/dev/zero', f)),
  },
  {
    name: 'its config blob a FIFO nobody writes to',
    timeoutMs: 5_000,
    apply: (l) => replaceWith(blob(l, l.configDigest), (f) => execFileSync('mkfifo', [f])),
  },
  {
    name: 'its index.json a symlink leading out of the layout (to a valid copy)',
    timeoutMs: 10_000,
    apply: (l, outside) => {
      cpSync(join(l.dir, 'index.json'), join(outside, 'index.json'));
      replaceWith(join(l.dir, 'index.json'), (f) => symlinkSync(join(outside, 'index.json'), f));
    },
  },
  {
    name: 'a layer blob a symlink to /dev/zero',
    timeoutMs: 3_000,
    apply: (l) => replaceWith(blob(l, l.layers[0]!.digest), (f) => symlinkSync('/dev/zero', f)),
  },
  {
    name: 'a layer blob a FIFO nobody writes to',
    timeoutMs: 5_000,
    apply: (l) => replaceWith(blob(l, l.layers[0]!.digest), (f) => execFileSync('mkfifo', [f])),
  },
  {
    name: 'its blobs/sha256 directory a symlink leading out of the layout',
    timeoutMs: 10_000,
    apply: (l, outside) => {
      const blobs = join(l.dir, 'blobs', 'sha256');
      renameSync(blobs, join(outside, 'sha256'));
      symlinkSync(join(outside, 'sha256'), blobs);
    },
  },
  {
    name: 'a layer blob that is a directory',
    timeoutMs: 10_000,
    apply: (l) => replaceWith(blob(l, l.layers[0]!.digest), (f) => mkdirSync(f)),
  },
];

const SIZES = { sample: [0, 1, 2], quick: [0, 1, 2, 5], full: HOSTILITIES.map((_, i) => i) } as const;

/**
 * Scenario 7: `msb image import` of hostile OCI layouts: blobs that never end (/dev/zero) or never
 * open (a FIFO), symlinks leading out of the layout, a directory for a blob. Each import must refuse
 * (exit 1, naming the file in the layout) within its time limit, store nothing, and leave the image
 * imported before intact.
 */
export const hostileOci: Scenario = {
  name: 'hostile-oci',
  async run(ctx) {
    const homes: CheckedHome[] = [];
    for (const index of SIZES[ctx.size]) homes.push(await importHostile(ctx, HOSTILITIES[index]!));
    return { rows: summarize('hostile-oci', homes), homes };
  },
};

async function importHostile(ctx: ScenarioContext, hostility: Hostility): Promise<CheckedHome> {
  const home = ctx.home('oci');
  const base = buildOciLayout(join(home, 'base-layout'), { cmd: ['sleep', '600'] });
  await mustRun(home, ['image', 'import', base.dir, '--ref', 'base:1']);
  const outside = join(home, 'outside');
  mkdirSync(outside);
  const layout = buildOciLayout(join(home, 'layout'), { cmd: ['sleep', '600'], labels: { hostile: 'yes' } });
  hostility.apply(layout, outside);

  const child = spawnMsb(home, ['image', 'import', layout.dir, '--ref', 'hostile:1'], {
    timeoutMs: hostility.timeoutMs,
  });
  let peakRss = 0;
  const watching = (async () => {
    for (let done = false; !done; ) {
      peakRss = Math.max(peakRss, rssMiB(child.pid));
      done = await Promise.race([child.done.then(() => true), sleep(100).then(() => false)]);
    }
  })();
  const outcome = await child.done;
  await watching;
  const said = describeOutcome(outcome);
  const problems: string[] = [];
  if (outcome.timedOut) {
    problems.push(`import hung: killed after ${hostility.timeoutMs / 1000} s, at ${peakRss} MiB of memory`);
  } else if (STACK_FRAME.test(outcome.stderr)) {
    problems.push('import printed a stack trace');
  } else if (outcome.code === 0) {
    problems.push('import succeeded through a path leading out of the layout');
  } else if (outcome.code !== 1 || !outcome.stderr.includes(layout.dir)) {
    problems.push(`import did not refuse naming a file of the layout: ${said}`);
  }
  ctx.progress(`hostile-oci: ${hostility.name}: ${said} (peak ${peakRss} MiB)`);
  const trial: Trial = {
    group: `msb image import of a layout with ${hostility.name}`,
    sandboxes: [],
    outcome: `${said.split(':')[0]} after ${(outcome.ms / 1000).toFixed(1)} s, peak ${peakRss} MiB`,
    problems,
  };
  // A layout that imported must not make the check's fresh sandbox fail for unrelated reasons.
  const report = await checkInvariants(home, { mustExistImages: ['base:1'] });
  return { label: hostility.name, trials: [trial], report };
}

function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Math.round(Number(match[1]) / 1024);
  } catch {
    return 0;
  }
}
