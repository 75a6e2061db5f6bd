import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DbPools } from '../../src/db/index.js';
import { importOciImage } from '../../src/host/images.js';
import { buildOciLayout, type OciCorruption } from '../support/build-oci-layout.js';
import { makeTempDir, openTestPools } from '../support/open-test-pools.js';

const TABLES = ['manifest', 'config', 'layer', 'manifest_layer', 'image_ref'] as const;

function counts(pools: DbPools): Record<(typeof TABLES)[number], number> {
  return Object.fromEntries(
    TABLES.map((t) => [t, pools.read.get<number>(`SELECT count(*) FROM ${t}`, undefined, 'pluck')!]),
  ) as Record<(typeof TABLES)[number], number>;
}

describe('importOciImage', () => {
  it('should persist manifest, config, layers in order and the reference', async () => {
    const { pools } = await openTestPools();
    const layout = buildOciLayout(join(makeTempDir(), 'img'), {
      env: ['PATH=/usr/bin', 'MODE=test'],
      cmd: ['/bin/hello', '--loud'],
      entrypoint: ['/bin/tini', '--'],
      workingDir: '/srv',
      labels: { team: 'msb' },
    });

    const imported = await importOciImage(pools.write, layout.dir, 'test/hello:1.0');

    const totalSizeBytes = layout.layers.reduce((sum, l) => sum + l.size, 0);
    expect(imported).toEqual({
      reference: 'test/hello:1.0',
      manifestId: expect.any(Number),
      digest: layout.manifestDigest,
      created: true,
      previousDigest: null,
      layerCount: 2,
      totalSizeBytes,
    });
    expect(pools.read.get('SELECT * FROM manifest')).toEqual({
      id: imported.manifestId,
      digest: layout.manifestDigest,
      media_type: 'application/vnd.oci.image.manifest.v1+json',
      config_digest: layout.configDigest,
      architecture: 'amd64',
      os: 'linux',
      layer_count: 2,
      total_size_bytes: totalSizeBytes,
    });
    expect(
      pools.read.get(
        'SELECT manifest_id, env, cmd, entrypoint, working_dir, user, labels, stop_signal FROM config',
      ),
    ).toEqual({
      manifest_id: imported.manifestId,
      env: '["PATH=/usr/bin","MODE=test"]',
      cmd: '["/bin/hello","--loud"]',
      entrypoint: '["/bin/tini","--"]',
      working_dir: '/srv',
      user: null,
      labels: '{"team":"msb"}',
      stop_signal: null,
    });
    const layers = pools.read.all<{
      position: number;
      diff_id: string;
      blob_digest: string;
      size: number;
      media_type: string;
    }>(
      `SELECT ml.position, l.diff_id, l.blob_digest, l.compressed_size_bytes AS size, l.media_type
       FROM manifest_layer ml JOIN layer l ON l.id = ml.layer_id WHERE ml.manifest_id = @id ORDER BY ml.position`,
      { id: imported.manifestId },
    );
    expect(layers).toEqual(
      layout.layers.map((l, position) => ({
        position,
        diff_id: l.diffId,
        blob_digest: l.digest,
        size: l.size,
        media_type: 'application/vnd.oci.image.layer.v1.tar+gzip',
      })),
    );
    expect(pools.read.all('SELECT reference, manifest_id FROM image_ref')).toEqual([
      { reference: 'test/hello:1.0', manifest_id: imported.manifestId },
    ]);
  });

  it.each<OciCorruption>([
    'bad-digest',
    'bad-size',
    'missing-blob',
    'bad-json',
    'wrong-media-type',
    'bad-diff-id',
    'bad-index',
    'no-oci-layout',
  ])('should refuse a layout with %s, naming the file at fault and writing nothing', async (corrupt) => {
    expect.assertions(3);
    const { pools } = await openTestPools();
    const layout = buildOciLayout(join(makeTempDir(), 'img'), { corrupt });

    const attempt = importOciImage(pools.write, layout.dir, 'test/broken:1');

    await expect(attempt).rejects.toMatchObject({ name: 'HostError', code: 'IMAGE_INVALID' });
    await expect(attempt).rejects.toThrow(layout.corruptedFile!);
    expect(counts(pools)).toEqual({ manifest: 0, config: 0, layer: 0, manifest_layer: 0, image_ref: 0 });
  });

  it('should say what is wrong for each kind of damage', async () => {
    const { pools } = await openTestPools();
    const messages: Record<string, RegExp> = {
      'bad-digest': /blob digest is sha256:[0-9a-f]{64} but .* says sha256:/,
      'bad-size': /blob is \d+ bytes but .* says \d+/,
      'missing-blob': /blob sha256:[0-9a-f]{64} named in .* is missing/,
      'bad-json': /is not valid JSON/,
      'wrong-media-type': /layers\[0\]\.mediaType "text\/plain" is not one of/,
      'bad-diff-id': /uncompressed layer digest is .* rootfs\.diff_ids says sha256:0{64}/,
    };
    for (const [corrupt, message] of Object.entries(messages)) {
      const layout = buildOciLayout(join(makeTempDir(), 'img'), { corrupt: corrupt as OciCorruption });
      await expect(importOciImage(pools.write, layout.dir, 'test/broken:1')).rejects.toThrow(message);
    }
  });

  it('should add only a reference when the same digest is imported under a new name', async () => {
    const { pools } = await openTestPools();
    const layout = buildOciLayout(join(makeTempDir(), 'img'));
    const first = await importOciImage(pools.write, layout.dir, 'test/hello:1');
    const before = counts(pools);

    const second = await importOciImage(pools.write, layout.dir, 'test/hello:latest');
    const again = await importOciImage(pools.write, layout.dir, 'test/hello:latest');

    expect(second).toMatchObject({ manifestId: first.manifestId, created: false, previousDigest: null });
    expect(again).toMatchObject({ manifestId: first.manifestId, created: false, previousDigest: null });
    expect(counts(pools)).toEqual({ ...before, image_ref: 2 });
  });

  it('should re-point a reference and drop the manifest nothing uses any more, keeping shared layers', async () => {
    const { pools } = await openTestPools();
    const base = { 'etc/os-release': 'ID=shared\n' };
    const v1 = buildOciLayout(join(makeTempDir(), 'v1'), { layers: [base, { 'app/v': '1' }] });
    const v2 = buildOciLayout(join(makeTempDir(), 'v2'), { layers: [base, { 'app/v': '2' }] });
    await importOciImage(pools.write, v1.dir, 'test/app:stable');

    const moved = await importOciImage(pools.write, v2.dir, 'test/app:stable');

    expect(moved).toMatchObject({
      created: true,
      previousDigest: v1.manifestDigest,
      digest: v2.manifestDigest,
    });
    expect(pools.read.all('SELECT digest FROM manifest', undefined, 'pluck')).toEqual([v2.manifestDigest]);
    expect(pools.read.all('SELECT diff_id FROM layer ORDER BY diff_id', undefined, 'pluck')).toEqual(
      [v2.layers[0]!.diffId, v2.layers[1]!.diffId].sort(),
    );
    expect(v1.layers[0]!.diffId).toBe(v2.layers[0]!.diffId);
    expect(counts(pools)).toEqual({ manifest: 1, config: 1, layer: 2, manifest_layer: 2, image_ref: 1 });
  });

  it('should refuse a malformed reference before reading the directory', async () => {
    expect.assertions(2);
    const { pools } = await openTestPools();

    const attempt = importOciImage(pools.write, join(makeTempDir(), 'nothing-here'), 'NoTag');

    await expect(attempt).rejects.toMatchObject({ name: 'HostError', code: 'INVALID_ARGUMENT' });
    await expect(attempt).rejects.toThrow(/image reference "NoTag" is invalid: a tag is required/);
  });

  it.each(['../y:1', './y:1', 'a..b/y:1', '-a.b/y:1', 'a.b-/y:1'])(
    'should refuse the reference %s, whose registry is not a host name',
    async (reference) => {
      expect.assertions(2);
      const { pools } = await openTestPools();

      const attempt = importOciImage(pools.write, join(makeTempDir(), 'nothing-here'), reference);

      await expect(attempt).rejects.toMatchObject({ name: 'HostError', code: 'INVALID_ARGUMENT' });
      await expect(attempt).rejects.toThrow(/is invalid: registry ".*" is not a host\[:port\]/);
    },
  );

  it.each(['registry.example.com:5000/team/app:1', 'localhost/app:1', 'my-registry/app:1', 'a.b/c:1'])(
    'should accept the reference %s',
    async (reference) => {
      const { pools } = await openTestPools();
      const layout = buildOciLayout(join(makeTempDir(), 'img'));

      await importOciImage(pools.write, layout.dir, reference);

      expect(pools.read.all('SELECT reference FROM image_ref', undefined, 'pluck')).toEqual([reference]);
    },
  );
});
