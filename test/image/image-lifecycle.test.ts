import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DbPools } from '../../src/db/index.js';
import { listImageRefs, upsertOciManifestPin } from '../../src/generated/index.js';
import { importOciImage, removeImage, resolveImage } from '../../src/host/images.js';
import { buildOciLayout } from '../support/build-oci-layout.js';
import { makeTempDir, openTestPools } from '../support/open-test-pools.js';

async function insertSandbox(pools: DbPools, name: string): Promise<number> {
  return pools.write.transaction((tx) =>
    Number(
      tx.run(`INSERT INTO sandbox (name, config, status) VALUES (@name, '{}', 'Stopped')`, { name })
        .lastInsertRowid,
    ),
  );
}

function rootfsRows(pools: DbPools): unknown[] {
  return pools.read.all('SELECT sandbox_id, manifest_id, mode FROM sandbox_rootfs ORDER BY id');
}

describe('upsertOciManifestPin', () => {
  it('should leave one sandbox_rootfs row when a sandbox is pinned twice', async () => {
    const { pools } = await openTestPools();
    const a = buildOciLayout(join(makeTempDir(), 'a'));
    const b = buildOciLayout(join(makeTempDir(), 'b'), { labels: { v: '2' } });
    const imageA = await importOciImage(pools.write, a.dir, 'test/a:1');
    const imageB = await importOciImage(pools.write, b.dir, 'test/b:1');
    const sandboxId = await insertSandbox(pools, 'web');

    const first = await upsertOciManifestPin(pools.write, { sandboxId, digest: a.manifestDigest });
    const second = await upsertOciManifestPin(pools.write, { sandboxId, digest: b.manifestDigest });

    expect(first).toMatchObject({ sandboxId, manifestId: imageA.manifestId, mode: 'Oci' });
    expect(second).toMatchObject({ id: first?.id, sandboxId, manifestId: imageB.manifestId, mode: 'Oci' });
    expect(rootfsRows(pools)).toEqual([
      { sandbox_id: sandboxId, manifest_id: imageB.manifestId, mode: 'Oci' },
    ]);
  });

  it('should pin with manifest_id null when the digest is unknown', async () => {
    const { pools } = await openTestPools();
    const sandboxId = await insertSandbox(pools, 'web');

    const pin = await upsertOciManifestPin(pools.write, { sandboxId, digest: `sha256:${'a'.repeat(64)}` });

    expect(pin).toMatchObject({ sandboxId, manifestId: null, mode: 'Oci' });
    expect(rootfsRows(pools)).toEqual([{ sandbox_id: sandboxId, manifest_id: null, mode: 'Oci' }]);
  });

  it('should join the caller transaction when given its handle, and roll back with it', async () => {
    expect.assertions(2);
    const { pools } = await openTestPools();
    const sandboxId = await insertSandbox(pools, 'web');

    const attempt = pools.write.transaction((tx) => {
      upsertOciManifestPin(tx, { sandboxId, digest: `sha256:${'b'.repeat(64)}` });
      throw new Error('create failed after the pin');
    });

    await expect(attempt).rejects.toThrow('create failed after the pin');
    expect(rootfsRows(pools)).toEqual([]);
  });
});

describe('resolveImage', () => {
  it('should return the manifest and the config defaults, env as a record', async () => {
    const { pools } = await openTestPools();
    const layout = buildOciLayout(join(makeTempDir(), 'img'), {
      env: ['PATH=/usr/bin', 'EQ=a=b', 'PATH=/bin'],
      cmd: ['serve'],
      entrypoint: ['/app'],
      workingDir: '/srv',
    });
    const imported = await importOciImage(pools.write, layout.dir, 'test/app:1');

    expect(resolveImage(pools.read, 'test/app:1')).toEqual({
      reference: 'test/app:1',
      manifestId: imported.manifestId,
      digest: layout.manifestDigest,
      env: { PATH: '/bin', EQ: 'a=b' },
      cmd: ['serve'],
      entrypoint: ['/app'],
      workingDir: '/srv',
    });
    const inTx = await pools.write.transaction((tx) => resolveImage(tx, 'test/app:1').digest);
    expect(inTx).toBe(layout.manifestDigest);
  });

  it('should throw IMAGE_NOT_FOUND naming an unknown reference', () => {
    expect.assertions(1);
    return openTestPools().then(({ pools }) => {
      expect(() => resolveImage(pools.read, 'test/none:1')).toThrow(
        expect.objectContaining({
          code: 'IMAGE_NOT_FOUND',
          message: expect.stringContaining('"test/none:1"'),
        }),
      );
    });
  });
});

describe('listImageRefs', () => {
  it('should list every reference with its manifest, sorted', async () => {
    const { pools } = await openTestPools();
    const layout = buildOciLayout(join(makeTempDir(), 'img'));
    await importOciImage(pools.write, layout.dir, 'test/z:1');
    await importOciImage(pools.write, layout.dir, 'test/a:1');

    const images = listImageRefs(pools.read);

    expect(images.map((i) => [i.reference, i.digest, i.layerCount, i.os, i.architecture])).toEqual([
      ['test/a:1', layout.manifestDigest, 2, 'linux', 'amd64'],
      ['test/z:1', layout.manifestDigest, 2, 'linux', 'amd64'],
    ]);
    expect(images[0]?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('removeImage', () => {
  it('should refuse while a sandbox pins the manifest, keeping every row', async () => {
    expect.assertions(4);
    const { pools } = await openTestPools();
    const layout = buildOciLayout(join(makeTempDir(), 'img'));
    await importOciImage(pools.write, layout.dir, 'test/app:1');
    const sandboxId = await insertSandbox(pools, 'web');
    await upsertOciManifestPin(pools.write, { sandboxId, digest: layout.manifestDigest });

    const attempt = removeImage(pools.write, 'test/app:1');

    await expect(attempt).rejects.toMatchObject({ name: 'HostError', code: 'IMAGE_IN_USE' });
    await expect(attempt).rejects.toThrow(/image "test\/app:1" .* pinned by sandbox "web"/);
    expect(pools.read.all('SELECT reference FROM image_ref', undefined, 'pluck')).toEqual(['test/app:1']);
    expect(pools.read.get('SELECT count(*) FROM layer', undefined, 'pluck')).toBe(2);
  });

  it('should remove an alias of a pinned manifest but keep the manifest', async () => {
    const { pools } = await openTestPools();
    const layout = buildOciLayout(join(makeTempDir(), 'img'));
    await importOciImage(pools.write, layout.dir, 'test/app:1');
    await importOciImage(pools.write, layout.dir, 'test/app:latest');
    const sandboxId = await insertSandbox(pools, 'web');
    await upsertOciManifestPin(pools.write, { sandboxId, digest: layout.manifestDigest });

    const removed = await removeImage(pools.write, 'test/app:latest');

    expect(removed).toEqual({
      reference: 'test/app:latest',
      digest: layout.manifestDigest,
      manifestDeleted: false,
    });
    expect(pools.read.all('SELECT reference FROM image_ref', undefined, 'pluck')).toEqual(['test/app:1']);
    expect(pools.read.get('SELECT count(*) FROM manifest', undefined, 'pluck')).toBe(1);
  });

  it('should delete the last reference with its manifest, config and layers', async () => {
    const { pools } = await openTestPools();
    const layout = buildOciLayout(join(makeTempDir(), 'img'));
    await importOciImage(pools.write, layout.dir, 'test/app:1');

    const removed = await removeImage(pools.write, 'test/app:1');

    expect(removed).toEqual({
      reference: 'test/app:1',
      digest: layout.manifestDigest,
      manifestDeleted: true,
    });
    for (const table of ['manifest', 'config', 'layer', 'manifest_layer', 'image_ref']) {
      expect(pools.read.get(`SELECT count(*) FROM ${table}`, undefined, 'pluck'), table).toBe(0);
    }
  });

  it('should refuse an unknown reference with IMAGE_NOT_FOUND', async () => {
    expect.assertions(1);
    const { pools } = await openTestPools();

    await expect(removeImage(pools.write, 'test/none:1')).rejects.toMatchObject({
      name: 'HostError',
      code: 'IMAGE_NOT_FOUND',
    });
  });
});
