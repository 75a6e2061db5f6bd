import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DbOpenError, isSqliteBusy } from '../../src/db/index.js';
import { claimRun } from '../../src/runtime/claim-run.js';
import { connectDb } from '../../src/runtime/connect-db.js';
import { markRunFailed } from '../../src/runtime/mark-run-failed.js';
import { parseRuntimeArgs } from '../../src/runtime/parse-runtime-args.js';
import { recordRunExit } from '../../src/runtime/record-run-exit.js';
import { workloadOutcome } from '../../src/runtime/run-outcome.js';
import { RuntimeError } from '../../src/sandbox/errors.js';
import { parseSandboxConfig } from '../../src/sandbox/sandbox-config.js';
import { insertTestSandbox } from '../support/insert-test-sandbox.js';
import { makeTempDir, openTestPools } from '../support/open-test-pools.js';

describe('connectDb', () => {
  it('should wait connect_timeout_secs from the msb home config and never create the database', async () => {
    expect.assertions(4);
    const home = makeTempDir();
    writeFileSync(join(home, 'config.json'), JSON.stringify({ database: { connect_timeout_secs: 0.3 } }));
    const path = join(home, 'db', 'msb.db');

    const began = performance.now();
    const attempt = connectDb(path, { home });

    await expect(attempt).rejects.toBeInstanceOf(DbOpenError);
    await expect(attempt).rejects.toMatchObject({ code: 'DB_NOT_FOUND' });
    const waited = performance.now() - began;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(3_000);
  });

  it('should open a writer on a database the host created', async () => {
    const { pools, path, dir } = await openTestPools();
    const sandboxId = await insertTestSandbox(pools.write, 'web', { command: 'sleep' });

    const write = await connectDb(path, { home: dir, connectTimeoutMs: 1_000 });
    const runId = (await claimRun(write, { id: sandboxId, name: 'web', pid: 4242 })).runId;
    await write.close();

    expect(pools.read.get('SELECT sandbox_id, pid, status FROM run WHERE id = @runId', { runId })).toEqual({
      sandbox_id: sandboxId,
      pid: 4242,
      status: 'Running',
    });
  });
});

describe('runtime run records', () => {
  it('should refuse to run a sandbox the host stopped during the start, writing nothing', async () => {
    expect.assertions(4);
    const { pools } = await openTestPools();
    const sandboxId = await insertTestSandbox(pools.write, 'web', { command: 'sleep' });
    await pools.write.transaction((tx) => tx.run(`UPDATE sandbox SET status = 'Stopped'`));

    const attempt = claimRun(pools.write, { id: sandboxId, name: 'web', pid: 1234 });

    await expect(attempt).rejects.toBeInstanceOf(RuntimeError);
    await expect(attempt).rejects.toMatchObject({
      code: 'SANDBOX_NOT_STARTABLE',
      message: expect.stringContaining('"web"'),
    });
    expect(pools.read.get('SELECT status FROM sandbox', undefined, 'pluck')).toBe('Stopped');
    expect(pools.read.get('SELECT count(*) FROM run', undefined, 'pluck')).toBe(0);
  });

  it('should refuse a second runtime of a sandbox whose run is already Running', async () => {
    expect.assertions(2);
    const { pools } = await openTestPools();
    const sandboxId = await insertTestSandbox(pools.write, 'web', { command: 'sleep' });
    const first = (await claimRun(pools.write, { id: sandboxId, name: 'web', pid: 1234 })).runId;

    const second = claimRun(pools.write, { id: sandboxId, name: 'web', pid: 5678 });

    await expect(second).rejects.toMatchObject({ name: 'RuntimeError', code: 'SANDBOX_NOT_STARTABLE' });
    expect(pools.read.all('SELECT id, pid FROM run')).toEqual([{ id: first, pid: 1234 }]);
  });

  it('should refuse a sandbox id that now carries another name, writing nothing', async () => {
    expect.assertions(2);
    const { pools } = await openTestPools();
    const sandboxId = await insertTestSandbox(pools.write, 'web', { command: 'sleep' });

    const attempt = claimRun(pools.write, { id: sandboxId, name: 'api', pid: 1234 });

    await expect(attempt).rejects.toMatchObject({ name: 'RuntimeError', code: 'SANDBOX_NOT_FOUND' });
    expect(pools.read.get('SELECT count(*) FROM run', undefined, 'pluck')).toBe(0);
  });

  it('should record a failed start with its detail and stop the sandbox', async () => {
    const { pools } = await openTestPools();
    const sandboxId = await insertTestSandbox(pools.write, 'web', { command: 'sleep' });
    const runId = (await claimRun(pools.write, { id: sandboxId, name: 'web', pid: 1234 })).runId;

    await markRunFailed(pools.write, {
      runId,
      sandboxId,
      detail: 'cannot start command "x": spawn x ENOENT',
    });

    expect(
      pools.read.get(
        'SELECT status, termination_reason, termination_detail, exit_code FROM run WHERE id = @runId',
        {
          runId,
        },
      ),
    ).toEqual({
      status: 'Terminated',
      termination_reason: 'Failed',
      termination_detail: 'cannot start command "x": spawn x ENOENT',
      exit_code: null,
    });
    expect(pools.read.get('SELECT status FROM sandbox', undefined, 'pluck')).toBe('Stopped');
  });

  it('should keep the host record of a run it already terminated', async () => {
    const { pools } = await openTestPools();
    const sandboxId = await insertTestSandbox(pools.write, 'web', { command: 'sleep' });
    const runId = (await claimRun(pools.write, { id: sandboxId, name: 'web', pid: 1234 })).runId;
    await pools.write.transaction((tx) =>
      tx.run(`UPDATE run SET status = 'Terminated', termination_reason = 'InternalError' WHERE id = @runId`, {
        runId,
      }),
    );

    const changed = await recordRunExit(pools.write, {
      runId,
      sandboxId,
      outcome: workloadOutcome(0, null, null),
    });

    expect(changed).toBe(false);
    expect(pools.read.get('SELECT termination_reason FROM run', undefined, 'pluck')).toBe('InternalError');
  });

  it('should leave the sandbox Running when a newer run of it is active', async () => {
    const { pools } = await openTestPools();
    const sandboxId = await insertTestSandbox(pools.write, 'web', { command: 'sleep' });
    const oldRun = (await claimRun(pools.write, { id: sandboxId, name: 'web', pid: 1234 })).runId;
    // A restart's runtime that raced this one's end (its claim happened while this run was ending).
    await pools.write.transaction((tx) =>
      tx.run(`INSERT INTO run (sandbox_id, pid, status) VALUES (@sandboxId, 5678, 'Running')`, { sandboxId }),
    );

    await recordRunExit(pools.write, {
      runId: oldRun,
      sandboxId,
      outcome: workloadOutcome(null, 'SIGTERM', 'SIGTERM'),
    });

    expect(pools.read.get('SELECT status FROM sandbox', undefined, 'pluck')).toBe('Running');
    expect(pools.read.get('SELECT termination_reason FROM run WHERE id = @oldRun', { oldRun }, 'pluck')).toBe(
      'Signal',
    );
  });

  it('should refuse an unknown sandbox with SANDBOX_NOT_FOUND naming it', async () => {
    expect.assertions(2);
    const { pools } = await openTestPools();

    const attempt = claimRun(pools.write, { id: 7, name: 'nope', pid: 1234 });

    await expect(attempt).rejects.toBeInstanceOf(RuntimeError);
    await expect(attempt).rejects.toMatchObject({
      code: 'SANDBOX_NOT_FOUND',
      message: expect.stringContaining('"nope" (id 7)'),
    });
  });

  it('should refuse a sandbox replaced under the same name, naming the id it was started for', async () => {
    expect.assertions(2);
    const { pools } = await openTestPools();
    const oldId = await insertTestSandbox(pools.write, 'web', { command: 'sleep' });
    await pools.write.transaction((tx) => tx.run('DELETE FROM sandbox WHERE id = @oldId', { oldId }));
    const newId = await insertTestSandbox(pools.write, 'web', { command: 'sleep' });

    const attempt = claimRun(pools.write, { id: oldId, name: 'web', pid: 1234 });

    await expect(attempt).rejects.toMatchObject({ name: 'RuntimeError', code: 'SANDBOX_NOT_FOUND' });
    expect(newId).toBeGreaterThan(oldId);
  });
});

describe('workloadOutcome', () => {
  it('should classify exits and signals', () => {
    expect(workloadOutcome(0, null, null)).toEqual({
      reason: 'Completed',
      exitCode: 0,
      exitSignal: null,
      detail: null,
    });
    expect(workloadOutcome(2, null, null)).toEqual({
      reason: 'Failed',
      exitCode: 2,
      exitSignal: null,
      detail: 'workload exited with code 2',
    });
    expect(workloadOutcome(null, 'SIGKILL', 'SIGTERM')).toEqual({
      reason: 'Signal',
      exitCode: null,
      exitSignal: 'SIGKILL',
      detail: 'workload killed by SIGKILL after the runtime was stopped by SIGTERM',
    });
  });
});

describe('parseRuntimeArgs', () => {
  it('should parse the required and optional arguments', () => {
    expect(
      parseRuntimeArgs([
        '--db',
        '/x/db/msb.db',
        '--home',
        '/x',
        '--sandbox',
        'web',
        '--sandbox-id',
        '3',
        '--connect-timeout-ms',
        '250',
        '--stop-grace-ms',
        '0',
      ]),
    ).toEqual({
      dbPath: '/x/db/msb.db',
      home: '/x',
      sandboxName: 'web',
      sandboxId: 3,
      connectTimeoutMs: 250,
      stopGraceMs: 0,
    });
  });

  it.each([
    [['--home', '/', '--sandbox', 'web', '--sandbox-id', '1'], /--db <path> is required/],
    [['--db', '/x', '--sandbox', 'web', '--sandbox-id', '1'], /--home <dir> is required/],
    [['--db', '/x', '--home', '/', '--sandbox-id', '1'], /--sandbox <name> is required/],
    [['--db', '/x', '--home', '/', '--sandbox', 'web'], /--sandbox-id <id> is required/],
    [
      ['--db', '/x', '--home', '/', '--sandbox', 'web', '--sandbox-id', '0'],
      /--sandbox-id must be a positive/,
    ],
    [
      ['--db', '/x', '--home', '/', '--sandbox', 'web', '--sandbox-id', '1', '--connect-timeout-ms', 'soon'],
      /--connect-timeout-ms must be a whole number/,
    ],
    [
      ['--db', '/x', '--home', '/', '--sandbox', 'web', '--sandbox-id', '1', '--verbose'],
      /Unknown option '--verbose'/,
    ],
  ])('should refuse %j naming the argument', (argv, message) => {
    expect(() => parseRuntimeArgs(argv)).toThrow(message);
    expect(() => parseRuntimeArgs(argv)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('parseSandboxConfig', () => {
  const parse = (name: string, json: string) =>
    parseSandboxConfig(name, json, (m) => new RuntimeError('SANDBOX_CONFIG_INVALID', m));
  const valid = {
    command: 'sleep',
    args: ['1'],
    env: {},
    workingDir: null,
    image: null,
    metricsIntervalMs: 1000,
  };

  it('should accept a complete config', () => {
    expect(parse('web', JSON.stringify(valid))).toEqual(valid);
  });

  it('should accept sampling off as a null interval', () => {
    const off = { ...valid, metricsIntervalMs: null };
    expect(parse('web', JSON.stringify(off))).toEqual(off);
  });

  it.each([
    ['not json', /sandbox "web": config is not valid JSON/],
    [JSON.stringify({ ...valid, command: '' }), /key "command" must be a non-empty string/],
    [JSON.stringify({ ...valid, args: [1] }), /key "args" must be an array of strings/],
    [JSON.stringify({ ...valid, env: { A: 1 } }), /key "env" value of "A" must be a string/],
    [JSON.stringify({ ...valid, workingDir: 'rel' }), /key "workingDir" must be an absolute path/],
    [JSON.stringify({ ...valid, image: { reference: 'a:1' } }), /key "image" must be null or/],
    [
      JSON.stringify({ ...valid, metricsIntervalMs: 1.5 }),
      /key "metricsIntervalMs" must be null or a whole number/,
    ],
  ])('should refuse %s naming the key', (json, message) => {
    expect(() => parse('web', json)).toThrow(message);
    expect(() => parse('web', json)).toThrow(expect.objectContaining({ code: 'SANDBOX_CONFIG_INVALID' }));
  });
});

describe('RuntimeError', () => {
  it('should count as busy only when its cause is a busy SqliteError', () => {
    const path = join(makeTempDir(), 'busy.db');
    const holder = new Database(path);
    const other = new Database(path, { timeout: 0 });
    try {
      holder.exec('CREATE TABLE t (x INTEGER); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);');
      let busy: unknown;
      try {
        other.exec('INSERT INTO t VALUES (2)');
      } catch (err) {
        busy = err;
      }
      expect(busy).toMatchObject({ code: 'SQLITE_BUSY' });

      expect(isSqliteBusy(new RuntimeError('SANDBOX_NOT_FOUND', 'x', { cause: busy }))).toBe(true);
      expect(isSqliteBusy(new RuntimeError('SANDBOX_NOT_FOUND', 'x'))).toBe(false);
      expect(new RuntimeError('WORKLOAD_START_FAILED', 'y')).toMatchObject({
        name: 'RuntimeError',
        code: 'WORKLOAD_START_FAILED',
        message: 'y',
      });
    } finally {
      other.close();
      holder.close();
    }
  });
});
