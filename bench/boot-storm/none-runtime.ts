/**
 * The runtime of the `none` mode (bench only, no database at all): `node
 * dist/bench/none-runtime.cjs --dir <sandbox dir>`. It starts `sleep 3600` the way the
 * real runtime starts a workload (`STORM_SETTINGS.workload`), reports ready on fd 3, forwards SIGTERM to it and exits 0 once it is
 * gone: the cost of the processes alone, the ceiling the database modes are measured against.
 *
 * @example
 * ```sh
 * node dist/bench/none-runtime.cjs --dir /tmp/msb-storm/sandboxes/storm-1 3>&1
 * ```
 */
import { closeSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { killGroupMembers } from '../../src/runtime/kill-group-members.js';
import { spawnWorkload } from '../../src/runtime/spawn-workload.js';
import { REPORT_FD } from '../../src/sandbox/protocol.js';
import { saveCodeCache } from '../../src/sandbox/save-code-cache.js';
import { STORM_SETTINGS } from './storm-settings.js';

const { values } = parseArgs({ options: { dir: { type: 'string' } }, strict: true });
if (values.dir === undefined) {
  process.stderr.write('none-runtime: --dir <sandbox dir> is required\n');
  process.exit(2);
}
const dir = values.dir;
// A function, not top-level await: the bench runtimes ship as CommonJS bundles, as the real one does.
async function main(): Promise<never> {
  const workload = await spawnWorkload(
    'none',
    {
      ...STORM_SETTINGS.workload,
      env: {},
      workingDir: null,
      image: null,
      metricsIntervalMs: STORM_SETTINGS.metricsIntervalMs,
    },
    dir,
  );
  const exited = new Promise<void>((resolve) => workload.once('exit', () => resolve()));
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
    process.on(signal, () => workload.kill(signal));
  // No run row, so not the runtime protocol's report: just the pids (the bench launcher reads both shapes).
  writeSync(
    REPORT_FD,
    `${JSON.stringify({ type: 'ready', runtimePid: process.pid, workloadPid: workload.pid })}\n`,
  );
  closeSync(REPORT_FD);
  saveCodeCache();
  await exited;
  killGroupMembers('SIGKILL');
  process.exit(0);
}
// Not 0 if main never settles (its event loop drained), as top-level await would not be.
process.exitCode = 1;
void main();
