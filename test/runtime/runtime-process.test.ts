import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type DbPools, LEDGER_TABLE, latestSchemaVersion } from '../../src/db/index.js';
import { RUNTIME_MAIN, type RuntimeStarted, startRuntime } from '../../src/host/runtime-launcher.js';
import { killGroup } from '../../src/sandbox/kill-group.js';
import type { SandboxConfig } from '../../src/sandbox/protocol.js';
import { insertTestSandbox } from '../support/insert-test-sandbox.js';
import { openTestPools } from '../support/open-test-pools.js';
import { isAlive, waitFor } from '../support/process-helpers.js';

interface RunRow {
  id: number;
  sandbox_id: number;
  pid: number;
  status: string;
  exit_code: number | null;
  exit_signal: string | null;
  termination_reason: string | null;
  termination_detail: string | null;
  terminated_at: string | null;
}

async function setup(
  name: string,
  config: Partial<SandboxConfig> & { readonly command: string },
): Promise<{ pools: DbPools; home: string; path: string; sandboxId: number }> {
  const { pools, dir, path } = await openTestPools();
  const sandboxId = await insertTestSandbox(pools.write, name, { metricsIntervalMs: 200, ...config });
  return { pools, home: dir, path, sandboxId };
}

async function start(
  path: string,
  home: string,
  name: string,
  sandboxId: number,
  stopGraceMs?: number,
): Promise<RuntimeStarted> {
  const started = await startRuntime({
    dbPath: path,
    sandboxName: name,
    sandboxId,
    msbHome: home,
    timeoutMs: 20_000,
    ...(stopGraceMs === undefined ? {} : { stopGraceMs }),
  });
  // A failed assertion must not leave a runtime and its workload behind.
  onTestFinished(() => {
    try {
      process.kill(-started.runtimePid, 'SIGKILL');
    } catch {
      // already gone: the test stopped it
    }
  });
  return started;
}

function runOf(pools: DbPools, id: number): RunRow | undefined {
  return pools.read.get<RunRow>('SELECT * FROM run WHERE id = @id', { id });
}

function runsOf(pools: DbPools, sandboxId: number): RunRow[] {
  return pools.read.all<RunRow>('SELECT * FROM run WHERE sandbox_id = @sandboxId', { sandboxId });
}

function sandboxStatus(pools: DbPools, id: number): string | undefined {
  return pools.read.get<string>('SELECT status FROM sandbox WHERE id = @id', { id }, 'pluck');
}

function metricCount(pools: DbPools, sandboxId: number): number {
  return pools.read.get<number>(
    'SELECT count(*) FROM sandbox_metric WHERE sandbox_id = @sandboxId',
    { sandboxId },
    'pluck',
  )!;
}

async function terminated(pools: DbPools, runId: number): Promise<RunRow> {
  return waitFor(`run ${runId} to be Terminated`, () => {
    const run = runOf(pools, runId);
    return run?.status === 'Terminated' ? run : undefined;
  });
}

function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // vanished while scanning
    }
  }
  return pids;
}

/**
 * `node <args>` as a runtime started without a host, in a process group of its own that is killed when
 * the test ends; its stderr so far, when stderr is a pipe (the default, with no report pipe on fd 3).
 */
function startByHand(
  args: readonly string[],
  options: { readonly env?: Readonly<Record<string, string>>; readonly stdio?: StdioOptions } = {},
): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: options.stdio ?? ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  onTestFinished(() => {
    killGroup(child.pid);
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return { child, stderr: () => stderr };
}

describe('runtime process', () => {
  it('should run when started by hand without the report pipe on fd 3, and record its exit', async () => {
    const { pools, home, path, sandboxId } = await setup('by-hand', { command: 'sleep', args: ['60'] });
    // Without a host, fd 3 is whatever the process opened there (libuv's epoll descriptor): the runtime
    // must neither write its report into it nor close it.
    const { child, stderr } = startByHand([
      RUNTIME_MAIN,
      ...['--db', path, '--home', home, '--sandbox', 'by-hand', '--sandbox-id', String(sandboxId)],
    ]);
    const run = await waitFor('the run row', () => runsOf(pools, sandboxId)[0]);
    expect(run).toMatchObject({ pid: child.pid, status: 'Running' });
    await waitFor('the first metric', () => metricCount(pools, sandboxId) > 0 || undefined);
    await sleep(300);
    expect(isAlive(child.pid!), stderr()).toBe(true);
    process.kill(child.pid!, 'SIGTERM');
    expect(await terminated(pools, run.id)).toMatchObject({
      termination_reason: 'Signal',
      exit_signal: 'SIGTERM',
    });
    expect(sandboxStatus(pools, sandboxId)).toBe('Stopped');
    expect(stderr()).not.toContain('report to the host was lost');
  });

  it('should keep supervising its workload when its log is on a full disk (ENOSPC)', async () => {
    const { pools, home, path, sandboxId } = await setup('full-disk', { command: 'sleep', args: ['60'] });
    // Every write to /dev/full fails with ENOSPC, like a log on a full file system.
    const full = openSync('/dev/full', 'w');
    const { child } = startByHand(
      [
        RUNTIME_MAIN,
        '--db',
        path,
        '--home',
        home,
        '--sandbox',
        'full-disk',
        '--sandbox-id',
        String(sandboxId),
      ],
      { stdio: ['ignore', 'ignore', full, 'pipe'] },
    );
    closeSync(full);
    const report = (child.stdio[3] as Readable).setEncoding('utf8');
    const [line] = (await once(report, 'data')) as [string];
    expect(JSON.parse(line)).toMatchObject({ type: 'ready', runtimePid: child.pid });
    // The runtime logs right after its report and on every later step: none of it may end it.
    await sleep(500);
    expect(isAlive(child.pid!)).toBe(true);
    process.kill(child.pid!, 'SIGTERM');
    const run = await waitFor('the run', () => runsOf(pools, sandboxId)[0]);
    expect(await terminated(pools, run.id)).toMatchObject({
      termination_reason: 'Signal',
      exit_signal: 'SIGTERM',
    });
    expect(sandboxStatus(pools, sandboxId)).toBe('Stopped');
  });

  it('should write no metric row when sampling is off, and still report ready', async () => {
    const { pools, home, path, sandboxId } = await setup('quiet', {
      command: 'sleep',
      args: ['60'],
      metricsIntervalMs: null,
    });
    const started = await start(path, home, 'quiet', sandboxId);
    await sleep(500);
    expect(runOf(pools, started.runId)?.status).toBe('Running');
    expect(metricCount(pools, sandboxId)).toBe(0);
    process.kill(started.runtimePid, 'SIGTERM');
    expect(await terminated(pools, started.runId)).toMatchObject({ exit_signal: 'SIGTERM' });
  });

  it('should insert its run with its own pid, report ready, and sample metrics at the interval', async () => {
    const { pools, home, path, sandboxId } = await setup('web', {
      command: 'sh',
      args: ['-c', 'echo "hello $GREETING"; echo oops >&2; exec sleep 30'],
      env: { GREETING: 'sandbox' },
    });
    const started = await start(path, home, 'web', sandboxId);

    const run = runOf(pools, started.runId)!;
    expect(run).toMatchObject({ sandbox_id: sandboxId, pid: started.runtimePid, status: 'Running' });
    expect(run.terminated_at).toBeNull();
    expect(isAlive(started.runtimePid)).toBe(true);
    expect(isAlive(started.workloadPid)).toBe(true);
    expect(started.workloadPid).not.toBe(started.runtimePid);
    expect(started.busyRetries).toBeGreaterThanOrEqual(0);
    expect(sandboxStatus(pools, sandboxId)).toBe('Running');
    // The first sample is stored before the runtime reports ready.
    expect(metricCount(pools, sandboxId)).toBeGreaterThanOrEqual(1);

    await waitFor('5 samples', () => metricCount(pools, sandboxId) >= 5, 5_000);
    const samples = pools.read.all<{ sampled_at: string; memory_bytes: number; cpu_percent: number }>(
      'SELECT sampled_at, memory_bytes, cpu_percent FROM sandbox_metric WHERE sandbox_id = @sandboxId ORDER BY id',
      { sandboxId },
    );
    const times = samples.map((s) => Date.parse(s.sampled_at));
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const meanGap = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(meanGap).toBeGreaterThan(150);
    expect(meanGap).toBeLessThan(1_000);
    // `sleep` is resident and idle (the first sample averages over its few-ms life, start-up included).
    expect(samples.every((s) => s.memory_bytes > 0)).toBe(true);
    expect(samples.slice(1).every((s) => s.cpu_percent >= 0 && s.cpu_percent < 50)).toBe(true);

    const dir = join(home, 'sandboxes', 'web');
    expect(readFileSync(join(dir, 'stdout.log'), 'utf8')).toBe('hello sandbox\n');
    expect(readFileSync(join(dir, 'stderr.log'), 'utf8')).toBe('oops\n');
  });

  it('should forward SIGTERM to the workload and record a Signal termination with the sandbox Stopped', async () => {
    const { pools, home, path, sandboxId } = await setup('web', { command: 'sleep', args: ['30'] });
    const started = await start(path, home, 'web', sandboxId);

    process.kill(started.runtimePid, 'SIGTERM');
    const run = await terminated(pools, started.runId);

    expect(run).toMatchObject({
      pid: started.runtimePid,
      termination_reason: 'Signal',
      exit_code: null,
      exit_signal: 'SIGTERM',
    });
    expect(run.termination_detail).toContain('stopped by SIGTERM');
    expect(run.terminated_at).not.toBeNull();
    expect(sandboxStatus(pools, sandboxId)).toBe('Stopped');
    await waitFor(
      'workload and runtime to exit',
      () => !isAlive(started.workloadPid) && !isAlive(started.runtimePid),
    );
    // No sample is written after the end is recorded.
    const count = metricCount(pools, sandboxId);
    await sleep(400);
    expect(metricCount(pools, sandboxId)).toBe(count);
  });

  it('should leave nothing the workload started alive when it is stopped', async () => {
    const { pools, home, path, sandboxId } = await setup('web', {
      command: 'sh',
      args: ['-c', 'sleep 300 & echo $! > bg.pid; wait'],
    });
    const started = await start(path, home, 'web', sandboxId);
    const bgFile = join(home, 'sandboxes', 'web', 'bg.pid');
    const bgPid = await waitFor('bg.pid', () => {
      const text = readFileSync(bgFile, { encoding: 'utf8', flag: 'a+' }).trim();
      return text === '' ? undefined : Number(text);
    });
    expect(isAlive(bgPid)).toBe(true);

    process.kill(started.runtimePid, 'SIGTERM');
    await terminated(pools, started.runId);

    await waitFor('the background sleep to die', () => !isAlive(bgPid));
    await waitFor('the runtime to exit', () => !isAlive(started.runtimePid));
  });

  it('should SIGKILL a workload that ignores SIGTERM once the stop grace period is over', async () => {
    const { pools, home, path, sandboxId } = await setup('web', {
      command: 'sh',
      args: ['-c', 'trap "" TERM; while :; do sleep 0.05; done'],
    });
    const started = await start(path, home, 'web', sandboxId, 300);

    const sent = performance.now();
    process.kill(started.runtimePid, 'SIGTERM');
    const run = await terminated(pools, started.runId);

    expect(performance.now() - sent).toBeGreaterThanOrEqual(300);
    expect(run).toMatchObject({ termination_reason: 'Signal', exit_signal: 'SIGKILL', exit_code: null });
    expect(run.termination_detail).toContain('stopped by SIGTERM');
    await waitFor('workload to exit', () => !isAlive(started.workloadPid));
  });

  it.each([
    { script: 'exit 0', reason: 'Completed', exitCode: 0, exitSignal: null },
    { script: 'exit 3', reason: 'Failed', exitCode: 3, exitSignal: null },
    { script: 'kill -KILL $$', reason: 'Signal', exitCode: null, exitSignal: 'SIGKILL' },
  ])(
    'should record $reason when the workload runs "$script"',
    async ({ script, reason, exitCode, exitSignal }) => {
      const { pools, home, path, sandboxId } = await setup('job', { command: 'sh', args: ['-c', script] });
      const started = await start(path, home, 'job', sandboxId);

      const run = await terminated(pools, started.runId);

      expect(run).toMatchObject({
        termination_reason: reason,
        exit_code: exitCode,
        exit_signal: exitSignal,
        pid: started.runtimePid,
      });
      expect(run.terminated_at).not.toBeNull();
      expect(sandboxStatus(pools, sandboxId)).toBe('Stopped');
      await waitFor('the runtime to exit', () => !isAlive(started.runtimePid));
    },
  );

  it('should mark the run failed and reject with RUNTIME_START_FAILED when the command does not exist', async () => {
    expect.assertions(6);
    const { pools, home, path, sandboxId } = await setup('ghost', { command: 'msb-no-such-command' });

    const failure = start(path, home, 'ghost', sandboxId);

    await expect(failure).rejects.toMatchObject({ name: 'HostError', code: 'RUNTIME_START_FAILED' });
    await expect(failure).rejects.toThrow(/sandbox "ghost".*msb-no-such-command.*ENOENT/s);
    const runs = runsOf(pools, sandboxId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'Terminated', termination_reason: 'Failed', exit_code: null });
    expect(runs[0]?.termination_detail).toMatch(/cannot start command "msb-no-such-command".*ENOENT/);
    expect(sandboxStatus(pools, sandboxId)).toBe('Stopped');
  });

  it('should fail the start, kill the workload and fail the run when its first metric cannot be stored', async () => {
    expect.assertions(6);
    const { pools, home, path, sandboxId } = await setup('full', { command: 'sleep', args: ['32.5'] });
    await pools.write.transaction((tx) =>
      tx.run(`CREATE TRIGGER no_metrics BEFORE INSERT ON sandbox_metric
              BEGIN SELECT RAISE(ABORT, 'metrics store is full'); END`),
    );

    const failure = start(path, home, 'full', sandboxId);

    await expect(failure).rejects.toMatchObject({ name: 'HostError', code: 'RUNTIME_START_FAILED' });
    await expect(failure).rejects.toThrow(
      /first metric sample .* could not be stored: metrics store is full/,
    );
    const runs = runsOf(pools, sandboxId);
    expect(runs).toMatchObject([{ status: 'Terminated', termination_reason: 'Failed', exit_code: null }]);
    expect(runs[0]?.termination_detail).toMatch(/first metric sample .*: metrics store is full/);
    expect(sandboxStatus(pools, sandboxId)).toBe('Stopped');
    expect(processesMentioning('32.5').filter(isAlive)).toEqual([]);
  });

  it('should end its run as InternalError when recording the workload exit fails, and exit', async () => {
    const { pools, home, path, sandboxId } = await setup('web', { command: 'sleep', args: ['30'] });
    // The runtime's own record of a Signal exit is refused; its fallback (InternalError) is not.
    await pools.write.transaction((tx) =>
      tx.run(`CREATE TRIGGER refuse_signal_exit BEFORE UPDATE OF status ON run
              WHEN NEW.termination_reason = 'Signal'
              BEGIN SELECT RAISE(ABORT, 'exit record refused'); END`),
    );
    const started = await start(path, home, 'web', sandboxId);

    process.kill(started.runtimePid, 'SIGTERM');
    const run = await terminated(pools, started.runId);

    expect(run).toMatchObject({
      pid: started.runtimePid,
      termination_reason: 'InternalError',
      exit_signal: null,
    });
    expect(run.termination_detail).toBe('runtime failed: exit record refused');
    expect(sandboxStatus(pools, sandboxId)).toBe('Stopped');
    await waitFor(
      'workload and runtime to exit',
      () => !isAlive(started.workloadPid) && !isAlive(started.runtimePid),
    );
    expect(readFileSync(join(home, 'sandboxes', 'web', 'runtime.log'), 'utf8')).toContain(
      'exit record refused',
    );
  });

  it.each([
    ['sampling every 200 ms', 200],
    ['sampling off (its watch notices)', null],
  ] as const)(
    'should stop its workload and exit once the host recorded its sandbox Stopped (a stop that raced its start), %s',
    async (_label, metricsIntervalMs) => {
      const { pools, home, path, sandboxId } = await setup('web', {
        command: 'sleep',
        args: ['30'],
        metricsIntervalMs,
      });
      const started = await start(path, home, 'web', sandboxId);

      // What a stop that read "no run yet" just before this runtime inserted its run ends up writing.
      await pools.write.transaction((tx) =>
        tx.run(`UPDATE sandbox SET status = 'Stopped' WHERE id = @sandboxId`, { sandboxId }),
      );
      const run = await terminated(pools, started.runId);

      expect(run).toMatchObject({
        pid: started.runtimePid,
        termination_reason: 'Signal',
        exit_signal: 'SIGTERM',
      });
      expect(run.termination_detail).toMatch(/the host recorded sandbox "web" as not running/);
      expect(sandboxStatus(pools, sandboxId)).toBe('Stopped');
      await waitFor(
        'workload and runtime to exit',
        () => !isAlive(started.workloadPid) && !isAlive(started.runtimePid),
      );
    },
  );

  it('should stop its workload and exit once its sandbox row is gone (a replace that raced its start)', async () => {
    const { pools, home, path, sandboxId } = await setup('web', { command: 'sleep', args: ['30'] });
    const started = await start(path, home, 'web', sandboxId);

    await pools.write.transaction((tx) => tx.run('DELETE FROM sandbox WHERE id = @sandboxId', { sandboxId }));

    await waitFor(
      'workload and runtime to exit',
      () => !isAlive(started.workloadPid) && !isAlive(started.runtimePid),
    );
    expect(runsOf(pools, sandboxId)).toEqual([]);
    expect(readFileSync(join(home, 'sandboxes', 'web', 'runtime.log'), 'utf8')).toMatch(
      /the host recorded sandbox "web" as not running/,
    );
  });

  it('should fail the run and stop the sandbox when its config is invalid', async () => {
    expect.assertions(3);
    const { pools, home, path, sandboxId } = await setup('bad', { command: 'sleep' });
    await pools.write.transaction((tx) =>
      tx.run(`UPDATE sandbox SET config = json_set(config, '$.args', 7) WHERE id = @sandboxId`, {
        sandboxId,
      }),
    );

    await expect(start(path, home, 'bad', sandboxId)).rejects.toThrow(
      /sandbox "bad".*config key "args" must be an array of strings.*SANDBOX_CONFIG_INVALID/s,
    );
    expect(runsOf(pools, sandboxId)).toMatchObject([{ status: 'Terminated', termination_reason: 'Failed' }]);
    expect(sandboxStatus(pools, sandboxId)).toBe('Stopped');
  });

  it('should fail the run when the working directory does not exist', async () => {
    expect.assertions(2);
    const { pools, home, path, sandboxId } = await setup('lost', {
      command: 'sleep',
      workingDir: '/no/such/dir',
    });

    await expect(start(path, home, 'lost', sandboxId)).rejects.toThrow(
      /sandbox "lost".*working directory \/no\/such\/dir does not exist.*WORKLOAD_START_FAILED/s,
    );
    expect(runsOf(pools, sandboxId)).toMatchObject([{ status: 'Terminated', termination_reason: 'Failed' }]);
  });

  it('should reject with RUNTIME_START_FAILED naming a sandbox that does not exist, writing nothing', async () => {
    expect.assertions(3);
    const { pools, home, path } = await setup('web', { command: 'sleep', args: ['30'] });

    const failure = start(path, home, 'nope', 999);

    await expect(failure).rejects.toMatchObject({ name: 'HostError', code: 'RUNTIME_START_FAILED' });
    await expect(failure).rejects.toThrow(/sandbox "nope".*SANDBOX_NOT_FOUND/s);
    expect(pools.read.get<number>('SELECT count(*) FROM run', undefined, 'pluck')).toBe(0);
  });

  it('should go from start to its recorded exit without loading perf_hooks', async () => {
    // Touching the `performance` global loads perf_hooks and ten more modules: 0.7 ms of CPU in every
    // runtime's start (see src/db/monotonic-ms.ts). Run by hand with a preload that lists them.
    const { pools, home, path, sandboxId } = await setup('no-perf', { command: 'sleep', args: ['0.5'] });
    const out = join(home, 'builtins.txt');
    const preload = join(import.meta.dirname, '../fixtures/runtime/record-builtins.cjs');
    const args = ['--db', path, '--home', home, '--sandbox', 'no-perf', '--sandbox-id', String(sandboxId)];
    const { child, stderr } = startByHand(['-r', preload, RUNTIME_MAIN, ...args], {
      env: { MSB_TEST_BUILTINS_OUT: out },
    });
    const [code] = await once(child, 'exit');
    expect(code, stderr()).toBe(0);
    const run = runsOf(pools, sandboxId)[0];
    expect(run).toMatchObject({ pid: child.pid, status: 'Terminated', termination_reason: 'Completed' });
    // The sampler read the clock for its first sample (and scheduled the next one with it).
    expect(metricCount(pools, sandboxId)).toBeGreaterThanOrEqual(1);
    const builtins = readFileSync(out, 'utf8').split('\n');
    expect(builtins).toContain('NativeModule child_process');
    expect(builtins).not.toContain('NativeModule perf_hooks');
    expect(builtins).not.toContain('NativeModule timers/promises');
  });

  it('should refuse a database at a newer schema version than the one it was bundled for, writing nothing', async () => {
    expect.assertions(3);
    const { pools, home, path, sandboxId } = await setup('web', { command: 'sleep', args: ['30'] });
    const latest = latestSchemaVersion();
    // What a newer msb's migration would leave: the bundle's queries were generated for `latest`.
    await pools.write.transaction((tx) =>
      tx.run(
        `INSERT INTO ${LEDGER_TABLE} (version, name, checksum, applied_at) VALUES (@v, @name, 'x', 'now')`,
        { v: latest + 1, name: `${String(latest + 1).padStart(4, '0')}_future.sql` },
      ),
    );

    const failure = start(path, home, 'web', sandboxId);

    await expect(failure).rejects.toThrow(
      new RegExp(`schema version ${latest + 1}, newer than this code's ${latest}.*DB_SCHEMA_TOO_NEW`, 's'),
    );
    expect(runsOf(pools, sandboxId)).toEqual([]);
    expect(sandboxStatus(pools, sandboxId)).toBe('Running');
  });

  it('should kill the runtime and reject when no report comes within the timeout', async () => {
    expect.assertions(3);
    const { home } = await setup('web', { command: 'sleep', args: ['30'] });
    // A database that never appears keeps the runtime waiting in connectDb.
    const missing = join(home, 'elsewhere', 'db', 'msb.db');

    const failure = startRuntime({
      dbPath: missing,
      sandboxName: 'web',
      sandboxId: 1,
      msbHome: home,
      timeoutMs: 500,
      connectTimeoutMs: 30_000,
    });

    await expect(failure).rejects.toMatchObject({ name: 'HostError', code: 'RUNTIME_START_FAILED' });
    await expect(failure).rejects.toThrow(/sandbox "web".*no report within 500 ms/s);
    await waitFor('the runtime to be killed', () => processesMentioning(missing).length === 0, 5_000);
    expect(processesMentioning(missing)).toEqual([]);
  });
});
