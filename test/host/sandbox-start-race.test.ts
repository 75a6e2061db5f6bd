import { readdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { DbPools } from '../../src/db/index.js';
import {
  buildSandboxConfig,
  insertSandboxRecord,
  prepareCreateTarget,
} from '../../src/host/create-sandbox.js';
import type { SandboxRecord } from '../../src/host/records.js';
import type { RuntimeStarted } from '../../src/host/runtime-launcher.js';
import { launchSandboxRuntime } from '../../src/host/start-sandbox.js';
import { killSandbox, stopSandbox } from '../../src/host/stop-sandbox.js';
import { openTestPools } from '../support/open-test-pools.js';
import { isAlive, waitFor } from '../support/process-helpers.js';

interface RunRow {
  readonly id: number;
  readonly sandbox_id: number;
  readonly pid: number;
  readonly status: string;
  readonly termination_reason: string | null;
  readonly termination_detail: string | null;
}

const RUNS =
  'SELECT id, sandbox_id, pid, status, termination_reason, termination_detail FROM run ORDER BY id';

/** A sandbox inserted as Running (as create does), whose workload is `sleep <seconds>`. */
async function insertSleeper(pools: DbPools, name: string, seconds: string): Promise<SandboxRecord> {
  const config = buildSandboxConfig({ name, command: 'sleep', args: [seconds] });
  return insertSandboxRecord(pools.write, { name, config });
}

/** Pids whose command line contains `text` (a workload's unique argument). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes(text) && isAlive(Number(entry))) pids.push(Number(entry));
    } catch {
      // vanished while scanning
    }
  }
  return pids;
}

/** Settles a launch without an unhandled rejection, and kills whatever it started when the test ends. */
function track(launch: Promise<RuntimeStarted>): Promise<RuntimeStarted | Error> {
  const settled = launch.then(
    (started) => started,
    (err: unknown) => err as Error,
  );
  onTestFinished(async () => {
    const outcome = await settled;
    if (outcome instanceof Error) return;
    try {
      process.kill(-outcome.runtimePid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  return settled;
}

function statusOf(pools: DbPools, name: string): string | undefined {
  return pools.read.get<string>('SELECT status FROM sandbox WHERE name = @name', { name }, 'pluck');
}

describe('launchSandboxRuntime', () => {
  it('should keep a sandbox stopped during its start Stopped, its runtime exiting without a workload', async () => {
    const { pools, dir: home } = await openTestPools();
    const record = await insertSleeper(pools, 'web', '31.1');

    const launch = track(launchSandboxRuntime(pools.write, record, { home, readyTimeoutMs: 20_000 }));
    // The runtime has not inserted its run yet (node is still starting), so stop only marks the row.
    const stopped = await stopSandbox(pools, { name: 'web' });
    const outcome = await launch;

    expect(stopped.run).toBeUndefined();
    expect(outcome).toMatchObject({ name: 'HostError', code: 'RUNTIME_START_FAILED' });
    expect((outcome as Error).message).toMatch(/SANDBOX_NOT_STARTABLE/);
    expect(statusOf(pools, 'web')).toBe('Stopped');
    expect(pools.read.all<RunRow>(RUNS)).toEqual([]);
    expect(processesMentioning('31.1')).toEqual([]);
  });

  it('should keep a sandbox killed during its start Stopped, with no run and no workload', async () => {
    const { pools, dir: home } = await openTestPools();
    const record = await insertSleeper(pools, 'web', '31.2');

    const launch = track(launchSandboxRuntime(pools.write, record, { home, readyTimeoutMs: 20_000 }));
    const killed = await killSandbox(pools, 'web');
    const outcome = await launch;

    expect(killed).toBeUndefined();
    expect(outcome).toMatchObject({ name: 'HostError', code: 'RUNTIME_START_FAILED' });
    expect(statusOf(pools, 'web')).toBe('Stopped');
    expect(pools.read.all<RunRow>(RUNS)).toEqual([]);
    expect(processesMentioning('31.2')).toEqual([]);
  });

  it('should leave exactly one live runtime when a replace races a start, under a new sandbox id', async () => {
    const { pools, dir: home } = await openTestPools();
    const old = await insertSleeper(pools, 'web', '31.3');

    const first = track(launchSandboxRuntime(pools.write, old, { home, readyTimeoutMs: 20_000 }));
    // The old row is Running without a run: replace stops nothing, deletes it and wipes its directory.
    await prepareCreateTarget(pools, { home, name: 'web', replace: true, stopTimeoutMs: 2_000 });
    const fresh = await insertSleeper(pools, 'web', '31.3');
    const second = track(launchSandboxRuntime(pools.write, fresh, { home, readyTimeoutMs: 20_000 }));
    const [a, b] = [await first, await second];

    expect(fresh.id).toBeGreaterThan(old.id);
    expect(a).toMatchObject({ name: 'HostError', code: 'RUNTIME_START_FAILED' });
    expect(b).not.toBeInstanceOf(Error);
    const started = b as RuntimeStarted;
    expect(pools.read.all<RunRow>(RUNS)).toMatchObject([
      { id: started.runId, sandbox_id: fresh.id, pid: started.runtimePid, status: 'Running' },
    ]);
    expect(statusOf(pools, 'web')).toBe('Running');
    expect(processesMentioning('31.3')).toEqual([started.workloadPid]);
  });

  it('should terminate the run of a runtime it killed for not reporting in time, and stop the sandbox', async () => {
    const { pools, dir: home, path } = await openTestPools();
    // Storing a metric takes seconds (a trigger that counts a 4·10^8-row cross join): the runtime has
    // inserted its run but cannot store its first sample before the host's timeout.
    const raw = new Database(path);
    onTestFinished(() => {
      raw.close();
    });
    raw.exec(`
      CREATE TABLE slow (x INTEGER) STRICT;
      WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000)
      INSERT INTO slow SELECT x FROM n;
      CREATE TRIGGER slow_metric AFTER INSERT ON sandbox_metric
      BEGIN SELECT count(*) FROM slow a, slow b; END;
    `);
    const record = await insertSleeper(pools, 'web', '31.4');

    const outcome = await track(launchSandboxRuntime(pools.write, record, { home, readyTimeoutMs: 1_500 }));

    expect(outcome).toMatchObject({ name: 'HostError', code: 'RUNTIME_START_FAILED' });
    expect((outcome as Error).message).toMatch(/no report within 1500 ms/);
    expect(pools.read.all<RunRow>(RUNS)).toMatchObject([
      { sandbox_id: record.id, status: 'Terminated', termination_reason: 'InternalError' },
    ]);
    expect(pools.read.all<RunRow>(RUNS)[0]?.termination_detail).toMatch(
      /did not report ready: .*no report within 1500 ms/s,
    );
    expect(statusOf(pools, 'web')).toBe('Stopped');
    await waitFor(
      'the workload to die with its group',
      () => processesMentioning('31.4').length === 0,
      5_000,
    );
    expect(processesMentioning('31.4')).toEqual([]);
  });
});
