import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPidAlive } from '../../src/host/processes.js';
import { buildOciLayout } from '../support/build-oci-layout.js';
import { MSB_MAIN, msb, newMsbHome, openHomeDb } from '../support/msb-cli.js';

const PRINT_THEN_SLEEP = [
  'sh',
  '-c',
  'for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done; exec sleep 60',
];

async function createOk(home: string, args: readonly string[]): Promise<void> {
  const result = await msb(home, ['create', ...args]);
  expect(result, result.stderr).toMatchObject({ code: 0 });
}

describe('msb logs', () => {
  it('should print the workload stdout, stderr, the runtime log and the last n lines', async () => {
    const home = newMsbHome();
    await createOk(home, ['web', '--', ...PRINT_THEN_SLEEP]);
    // The workload writes right after its start; wait until all of it is there.
    for (let i = 0; i < 100 && !(await msb(home, ['logs', 'web'])).stdout.includes('out5'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await msb(home, ['logs', 'web'])).toMatchObject({
      code: 0,
      stdout: 'out1\nout2\nout3\nout4\nout5\n',
    });
    expect(await msb(home, ['logs', 'web', '--stderr', '--tail', '2'])).toMatchObject({
      code: 0,
      stdout: 'err4\nerr5\n',
    });
    expect((await msb(home, ['logs', 'web', '-n', '0'])).stdout).toBe('');
    expect((await msb(home, ['logs', 'web', '-n', '99'])).stdout).toBe('out1\nout2\nout3\nout4\nout5\n');
    const runtime = await msb(home, ['logs', 'web', '--runtime']);
    expect(runtime).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/run 1: workload pid \d+ started/),
    });
  });

  it('should follow a log until the sandbox stops, then exit 0', async () => {
    const home = newMsbHome();
    await createOk(home, [
      'ticker',
      '--',
      'sh',
      '-c',
      'i=0; while true; do i=$((i+1)); echo tick$i; sleep 0.1; done',
    ]);
    const follower = spawn(process.execPath, [MSB_MAIN, 'logs', 'ticker', '--follow'], {
      env: { ...process.env, MSB_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    follower.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    while (!out.includes('tick5')) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await msb(home, ['stop', 'ticker'])).toMatchObject({ code: 0 });
    const [code] = (await once(follower, 'exit')) as [number | null];
    expect(code).toBe(0);
    const ticks = out.trim().split('\n');
    // Every line the workload wrote, in order, none twice, and the follower saw the last one.
    expect(ticks).toEqual(ticks.map((_, i) => `tick${i + 1}`));
    const log = await msb(home, ['logs', 'ticker']);
    expect(log.stdout.trim().split('\n')).toEqual(ticks);
  });

  it('should end quietly with exit 0 when its reader goes away (msb logs web | head)', async () => {
    const home = newMsbHome();
    await createOk(home, ['big', '--', 'sh', '-c', 'yes 0123456789abcdef | head -c 5000000; exec sleep 60']);
    for (let i = 0; i < 200 && !existsSync(join(home, 'sandboxes', 'big', 'stdout.log')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    while (statSync(join(home, 'sandboxes', 'big', 'stdout.log')).size < 5_000_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const reader = spawn(process.execPath, [MSB_MAIN, 'logs', 'big'], {
      env: { ...process.env, MSB_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    reader.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    await once(reader.stdout, 'data');
    reader.stdout.destroy();
    const [code] = (await once(reader, 'exit')) as [number | null];
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('should refuse a missing sandbox with 3 and bad options with 2, naming them', async () => {
    const home = newMsbHome();
    await createOk(home, ['web', '--', 'true']);
    expect(await msb(home, ['logs', 'ghost'])).toMatchObject({
      code: 3,
      stderr: expect.stringContaining('sandbox "ghost" does not exist'),
    });
    expect(await msb(home, ['logs', 'web', '--stderr', '--runtime'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--stderr and --runtime exclude each other'),
    });
    expect(await msb(home, ['logs', 'web', '--tail', '-1'])).toMatchObject({ code: 2 });
    expect(await msb(home, ['logs', 'web', '--tail', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--tail must be a whole number of lines, got "x"'),
    });
  });
});

describe('msb ls filters', () => {
  it('should list only running or only stopped sandboxes, and names alone with -q', async () => {
    const home = newMsbHome();
    await createOk(home, ['up-1', '--', 'sleep', '60']);
    await createOk(home, ['up-2', '--', 'sleep', '60']);
    await createOk(home, ['down', '--', 'sleep', '60']);
    expect(await msb(home, ['stop', 'down'])).toMatchObject({ code: 0 });
    expect(await msb(home, ['ls', '-q'])).toMatchObject({ code: 0, stdout: 'down\nup-1\nup-2\n' });
    expect((await msb(home, ['ls', '--running', '-q'])).stdout).toBe('up-1\nup-2\n');
    expect((await msb(home, ['ls', '--stopped', '-q'])).stdout).toBe('down\n');
    const running = JSON.parse((await msb(home, ['ls', '--running', '--json'])).stdout) as { name: string }[];
    expect(running.map((r) => r.name)).toEqual(['up-1', 'up-2']);
    expect(await msb(home, ['ls', '--running', '--stopped'])).toMatchObject({ code: 2 });
  });
});

describe('msb rm --force', () => {
  it('should stop a running sandbox, then remove its row, runs and directory', async () => {
    const home = newMsbHome();
    await createOk(home, ['web', '--', 'sleep', '60']);
    const db = openHomeDb(home);
    const pid = db.prepare("SELECT pid FROM run WHERE status = 'Running'").pluck().get() as number;
    expect(await msb(home, ['rm', 'web'])).toMatchObject({ code: 4 });
    const removed = await msb(home, ['rm', '--force', 'web', '--json']);
    expect(removed).toMatchObject({ code: 0 });
    expect(JSON.parse(removed.stdout)).toEqual([{ name: 'web', removed: true }]);
    expect(db.prepare('SELECT count(*) FROM sandbox').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM run').pluck().get()).toBe(0);
    expect(isPidAlive(pid)).toBe(false);
    expect((await msb(home, ['ls', '-q'])).stdout).toBe('');
    expect(await msb(home, ['rm', 'web', '--timeout', '3'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--timeout only applies with --force'),
    });
  });
});

describe('msb image inspect and volume inspect', () => {
  it('should show an image with its config, layers, references and pinning sandboxes', async () => {
    const home = newMsbHome();
    const layout = buildOciLayout(join(home, 'layout'), {
      entrypoint: ['sleep'],
      cmd: ['60'],
      env: ['A=1'],
      labels: { team: 'web' },
    });
    expect(await msb(home, ['image', 'import', layout.dir, '--ref', 'app:1'])).toMatchObject({ code: 0 });
    expect(await msb(home, ['image', 'import', layout.dir, '--ref', 'app:latest'])).toMatchObject({
      code: 0,
    });
    await createOk(home, ['web', '--image', 'app:1']);
    const json = await msb(home, ['image', 'inspect', 'app:1', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      reference: 'app:1',
      digest: layout.manifestDigest,
      configDigest: layout.configDigest,
      config: { entrypoint: ['sleep'], cmd: ['60'], env: ['A=1'], labels: { team: 'web' } },
      layers: layout.layers.map((l) => ({
        diffId: l.diffId,
        blobDigest: l.digest,
        compressedSizeBytes: l.size,
      })),
      references: ['app:1', 'app:latest'],
      pinnedBy: ['web'],
    });
    const text = await msb(home, ['image', 'inspect', 'app:1']);
    expect(text.stdout).toContain(`Digest:      ${layout.manifestDigest}`);
    expect(text.stdout).toContain('Pinned by:   web');
    expect(await msb(home, ['image', 'inspect', 'app:2'])).toMatchObject({
      code: 3,
      stderr: expect.stringContaining('image "app:2" does not exist'),
    });
  });

  it('should show a volume with its directory and what it holds', async () => {
    const home = newMsbHome();
    const created = await msb(home, [
      'volume',
      'create',
      'cache',
      '--quota',
      '5',
      '--label',
      'a=b',
      '--json',
    ]);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'cache', quotaMib: 5, labels: { a: 'b' } });
    mkdirSync(join(home, 'volumes', 'cache', 'sub'));
    writeFileSync(join(home, 'volumes', 'cache', 'sub', 'f'), 'x'.repeat(1000));
    writeFileSync(join(home, 'volumes', 'cache', 'g'), 'yy');
    const json = await msb(home, ['volume', 'inspect', 'cache', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      volume: { name: 'cache', quotaMib: 5 },
      path: join(home, 'volumes', 'cache'),
      pathExists: true,
      usedBytes: 1002,
      files: 2,
    });
    expect((await msb(home, ['volume', 'inspect', 'cache'])).stdout).toContain('Used:    1002 B in 2 files');
    expect(await msb(home, ['volume', 'inspect', 'nope'])).toMatchObject({ code: 3 });
  });
});

describe('msb create --metrics-interval off', () => {
  it('should run the sandbox without writing a single metric row', async () => {
    const home = newMsbHome();
    await createOk(home, ['quiet', '--metrics-interval', 'off', '--', 'sleep', '60']);
    await createOk(home, ['loud', '--metrics-interval', '50', '--', 'sleep', '60']);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const db = openHomeDb(home);
    const count = (name: string) =>
      db
        .prepare('SELECT count(*) FROM sandbox_metric JOIN sandbox ON sandbox.id = sandbox_id WHERE name = ?')
        .pluck()
        .get(name);
    expect(count('quiet')).toBe(0);
    expect(count('loud')).toBeGreaterThan(1);
    const config = JSON.parse(
      db.prepare("SELECT config FROM sandbox WHERE name = 'quiet'").pluck().get() as string,
    );
    expect(config.metricsIntervalMs).toBeNull();
    const stopped = await msb(home, ['stop', 'quiet', '--json']);
    expect(JSON.parse(stopped.stdout)).toMatchObject([{ name: 'quiet', run: { exitSignal: 'SIGTERM' } }]);
    expect(await msb(home, ['create', 'bad', '--metrics-interval', 'of', '--', 'true'])).toMatchObject({
      code: 2,
    });
  });
});
