import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOciLayout } from '../support/build-oci-layout.js';
import { lsJson, msb, newMsbHome, openHomeDb } from '../support/msb-cli.js';

describe('msb create --image (built CLI)', () => {
  it('should take the image defaults, keep the manifest digest in the config and pin it once across restarts', async () => {
    const home = newMsbHome();
    const layout = buildOciLayout(join(home, 'layout'), {
      entrypoint: ['sleep'],
      cmd: ['120'],
      env: ['GREETING=hi'],
      refName: '1',
    });
    const imported = await msb(home, ['image', 'import', layout.dir, '--ref', 'test/app:1']);
    expect(imported).toMatchObject({ code: 0, stdout: expect.stringContaining(layout.manifestDigest) });

    expect((await msb(home, ['create', 'app', '--image', 'test/app:1'])).code).toBe(0);
    expect(await lsJson(home)).toEqual([
      expect.objectContaining({ name: 'app', status: 'Running', image: 'test/app:1', command: 'sleep 120' }),
    ]);
    const db = openHomeDb(home);
    const config = JSON.parse(db.prepare('SELECT config FROM sandbox').pluck().get() as string);
    expect(config).toMatchObject({
      command: 'sleep',
      args: ['120'],
      env: { GREETING: 'hi' },
      image: { reference: 'test/app:1', digest: layout.manifestDigest },
    });
    const pin = `SELECT sandbox_rootfs.mode, manifest.digest FROM sandbox_rootfs
                 JOIN manifest ON manifest.id = sandbox_rootfs.manifest_id`;
    expect(db.prepare(pin).all()).toEqual([{ mode: 'Oci', digest: layout.manifestDigest }]);

    // start pins again: still one rootfs row.
    expect((await msb(home, ['stop', 'app'])).code).toBe(0);
    expect((await msb(home, ['start', 'app'])).code).toBe(0);
    expect(db.prepare('SELECT count(*) FROM sandbox_rootfs').pluck().get()).toBe(1);
    expect(db.prepare(pin).all()).toEqual([{ mode: 'Oci', digest: layout.manifestDigest }]);

    // The pin protects the image: removing it is a conflict naming the sandbox, and nothing is removed.
    const refused = await msb(home, ['image', 'rm', 'test/app:1']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('"app"');
    expect(db.prepare('SELECT count(*) FROM image_ref').pluck().get()).toBe(1);

    expect((await msb(home, ['kill', 'app'])).code).toBe(0);
    expect((await msb(home, ['rm', 'app'])).code).toBe(0);
    expect((await msb(home, ['image', 'rm', 'test/app:1'])).code).toBe(0);
    expect(db.prepare('SELECT count(*) FROM manifest').pluck().get()).toBe(0);
  });

  it('should list images as a table and JSON, and refuse a damaged layout with exit 1 naming the file', async () => {
    const home = newMsbHome();
    const good = buildOciLayout(join(home, 'good'), { cmd: ['true'], refName: '1' });
    expect((await msb(home, ['image', 'import', good.dir, '--ref', 'test/good:1'])).code).toBe(0);
    const table = await msb(home, ['image', 'ls']);
    expect(table.stdout).toMatch(/^REFERENCE\s+DIGEST\s+PLATFORM\s+LAYERS\s+SIZE/);
    expect(table.stdout).toContain('test/good:1');
    expect(JSON.parse((await msb(home, ['image', 'ls', '--json'])).stdout)).toEqual([
      expect.objectContaining({ reference: 'test/good:1', digest: good.manifestDigest }),
    ]);

    const bad = buildOciLayout(join(home, 'bad'), { cmd: ['true'], refName: '1', corrupt: 'bad-digest' });
    const refused = await msb(home, ['image', 'import', bad.dir, '--ref', 'test/bad:1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(bad.corruptedFile);
    expect(refused.stderr).toContain('[IMAGE_INVALID]');
    expect(await msb(home, ['image', 'import', bad.dir])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('missing --ref'),
    });
    expect(openHomeDb(home).prepare('SELECT reference FROM image_ref').pluck().all()).toEqual([
      'test/good:1',
    ]);
  });

  it('should refuse an unknown image with exit 3 naming it, and create nothing', async () => {
    const home = newMsbHome();
    const result = await msb(home, ['create', 'app', '--image', 'nope:1']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('image "nope:1" does not exist');
    expect(openHomeDb(home).prepare('SELECT count(*) FROM sandbox').pluck().get()).toBe(0);
  });
});
