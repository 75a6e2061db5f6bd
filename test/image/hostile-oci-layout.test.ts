import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { DbPools } from '../../src/db/index.js';
import { importOciImage } from '../../src/host/images.js';
import { OCI_LAYOUT_LIMITS, readOciLayout } from '../../src/host/oci-layout.js';
import {
  type BuiltOciLayout,
  buildOciLayout,
  gzipBomb,
  nestOciLayout,
  type OciCorruption,
  rewriteOciLayout,
  writeOciBlob,
} from '../support/build-oci-layout.js';
import { makeTempDir, openTestPools } from '../support/open-test-pools.js';

// A regression here used to hang (FIFO) or eat memory (/dev/zero): each test is bounded.
const BOUND_MS = 5_000;
const TABLES = ['manifest', 'config', 'layer', 'manifest_layer', 'image_ref'] as const;
const INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
const isRoot = process.getuid?.() === 0;

function stored(pools: DbPools): number {
  return TABLES.reduce(
    (sum, t) => sum + pools.read.get<number>(`SELECT count(*) FROM ${t}`, undefined, 'pluck')!,
    0,
  );
}

function startingWith(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
}

/** Imports `dir` and expects IMAGE_INVALID whose message starts with `file` and matches `problem`. */
async function expectRefused(dir: string, file: string, problem: RegExp): Promise<void> {
  const { pools } = await openTestPools();
  const attempt = importOciImage(pools.write, dir, 'test/hostile:1');
  await expect(attempt).rejects.toMatchObject({ name: 'HostError', code: 'IMAGE_INVALID' });
  await expect(attempt).rejects.toThrow(startingWith(`${file}: `));
  await expect(attempt).rejects.toThrow(problem);
  expect(stored(pools)).toBe(0);
}

/** A built layout whose FIFOs get a writer when the test ends, so a reader a regression left blocked returns. */
function layoutWithFifo(corrupt: OciCorruption): BuiltOciLayout {
  const layout = buildOciLayout(join(makeTempDir(), 'img'), { corrupt });
  onTestFinished(() => {
    try {
      closeSync(openSync(layout.corruptedFile!, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // ENXIO: nobody is reading it, which is what the fix guarantees.
    }
  });
  return layout;
}

function readIndex(layout: BuiltOciLayout): { manifests: object[] } {
  return JSON.parse(readFileSync(layout.indexFile, 'utf8'));
}

describe('readOciLayout on hostile layouts', () => {
  it.each<[OciCorruption, RegExp]>([
    ['blob-symlink', /is a symbolic link; nothing inside a layout may lead out of it/],
    ['blob-dev-zero', /is a symbolic link/],
    ['blobs-symlink', /is a symbolic link/],
    ['sha256-symlink', /is a symbolic link/],
    ['index-symlink', /is a symbolic link/],
    ['oci-layout-symlink', /is a symbolic link/],
    ['blob-directory', /is a directory, not a regular file/],
    ['index-directory', /is a directory, not a regular file/],
    ['index-huge', /is 9437184 bytes, more than the 8388608 a JSON document may have/],
    ['truncated-layer', /blob is \d+ bytes but .* says \d+/],
    ['appended-layer', /blob is \d+ bytes but .* says \d+/],
  ])(
    'should refuse a layout with %s, naming the file at fault and storing nothing',
    async (corrupt, problem) => {
      const layout = buildOciLayout(join(makeTempDir(), 'img'), { corrupt });

      await expectRefused(layout.dir, layout.corruptedFile!, problem);
    },
    BOUND_MS,
  );

  it.each<OciCorruption>(['blob-fifo', 'layer-fifo', 'index-fifo'])(
    'should refuse a layout with %s without blocking on it',
    async (corrupt) => {
      const layout = layoutWithFifo(corrupt);

      await expectRefused(layout.dir, layout.corruptedFile!, /is a FIFO, not a regular file/);
    },
    BOUND_MS,
  );

  it.runIf(isRoot)(
    'should refuse a blob that is a character device (a /dev/zero made with mknod) without reading it',
    async () => {
      const layout = buildOciLayout(join(makeTempDir(), 'img'));
      rmSync(layout.manifestFile);
      execFileSync('mknod', [layout.manifestFile, 'c', '1', '5']);

      await expectRefused(layout.dir, layout.manifestFile, /is a character device, not a regular file/);
    },
    BOUND_MS,
  );

  it.skipIf(isRoot)(
    'should refuse a blob it may not read, naming it',
    async () => {
      const layout = buildOciLayout(join(makeTempDir(), 'img'), { corrupt: 'unreadable-config' });

      await expectRefused(layout.dir, layout.configFile, /cannot be read: permission denied/);
    },
    BOUND_MS,
  );

  it(
    'should accept a layout directory given through a symbolic link',
    async () => {
      const layout = buildOciLayout(join(makeTempDir(), 'img'));
      const link = join(makeTempDir(), 'link-to-img');
      symlinkSync(layout.dir, link);

      const image = await readOciLayout(link);

      expect(image.manifestDigest).toBe(layout.manifestDigest);
    },
    BOUND_MS,
  );

  it(
    'should refuse a layout directory that does not exist or is a file',
    async () => {
      const missing = join(makeTempDir(), 'nowhere');
      const file = join(makeTempDir(), 'a-file');
      writeFileSync(file, 'not a layout');

      await expectRefused(missing, missing, /does not exist/);
      await expectRefused(file, file, /is not a directory/);
    },
    BOUND_MS,
  );

  it.each<[string, unknown]>([
    ['negative', -1],
    ['fractional', 1.5],
    ['beyond Number.MAX_SAFE_INTEGER', 2 ** 53],
    ['a string', '107'],
  ])(
    'should refuse a layer descriptor whose size is %s, naming the manifest',
    async (_label, size) => {
      const layout = rewriteOciLayout(buildOciLayout(join(makeTempDir(), 'img')), {
        manifest: (m) => {
          m.layers[0].size = size;
        },
      });

      await expectRefused(layout.dir, layout.manifestFile, /layers\[0\]\.size must be a whole number >= 0/);
    },
    BOUND_MS,
  );

  it.each<[string, (digest: string) => string]>([
    ['in uppercase hex', (d) => d.toUpperCase().replace('SHA256', 'sha256')],
    ['of another algorithm', () => `sha512:${'ab'.repeat(64)}`],
  ])(
    'should refuse a config digest %s, naming the manifest',
    async (_label, digest) => {
      const layout = rewriteOciLayout(buildOciLayout(join(makeTempDir(), 'img')), {
        manifest: (m) => {
          m.config.digest = digest(m.config.digest);
        },
      });

      await expectRefused(
        layout.dir,
        layout.manifestFile,
        /config\.digest must be "sha256:" and 64 lowercase/,
      );
    },
    BOUND_MS,
  );

  it(
    'should refuse a manifest listing 10 000 layers before reading any of them',
    async () => {
      const layout = rewriteOciLayout(buildOciLayout(join(makeTempDir(), 'img')), {
        manifest: (m) => {
          m.layers = Array.from({ length: 10_000 }, () => m.layers[0]);
        },
        config: (c) => {
          c.rootfs.diff_ids = Array.from({ length: 10_000 }, () => c.rootfs.diff_ids[0]);
        },
      });

      await expectRefused(
        layout.dir,
        layout.manifestFile,
        new RegExp(`lists 10000 layers, more than the ${OCI_LAYOUT_LIMITS.layers} an image may have`),
      );
    },
    BOUND_MS,
  );

  it(
    'should refuse a config whose rootfs.diff_ids count differs from the layers',
    async () => {
      const layout = rewriteOciLayout(buildOciLayout(join(makeTempDir(), 'img')), {
        config: (c) => {
          c.rootfs.diff_ids.pop();
        },
      });

      await expectRefused(
        layout.dir,
        layout.configFile,
        /rootfs\.diff_ids has 1 entries but .* lists 2 layers/,
      );
    },
    BOUND_MS,
  );

  it(
    'should store a layer listed twice at both positions',
    async () => {
      const { pools } = await openTestPools();
      const layout = rewriteOciLayout(buildOciLayout(join(makeTempDir(), 'img')), {
        manifest: (m) => {
          m.layers = [m.layers[0], m.layers[1], m.layers[0]];
        },
        config: (c) => {
          c.rootfs.diff_ids = [c.rootfs.diff_ids[0], c.rootfs.diff_ids[1], c.rootfs.diff_ids[0]];
        },
      });

      const imported = await importOciImage(pools.write, layout.dir, 'test/twice:1');

      expect(imported.layerCount).toBe(3);
      const [first, second] = layout.layers;
      expect(
        pools.read.all(
          `SELECT ml.position, l.diff_id FROM manifest_layer ml JOIN layer l ON l.id = ml.layer_id
           ORDER BY ml.position`,
        ),
      ).toEqual([
        { position: 0, diff_id: first!.diffId },
        { position: 1, diff_id: second!.diffId },
        { position: 2, diff_id: first!.diffId },
      ]);
      expect(pools.read.get('SELECT count(*) FROM layer', undefined, 'pluck')).toBe(2);
    },
    BOUND_MS,
  );

  it(
    'should refuse a blob listed twice when the second listing claims another size',
    async () => {
      const layout = rewriteOciLayout(buildOciLayout(join(makeTempDir(), 'img')), {
        manifest: (m) => {
          m.layers = [m.layers[0], { ...m.layers[0], size: m.layers[0].size + 1 }];
        },
        config: (c) => {
          c.rootfs.diff_ids = [c.rootfs.diff_ids[0], c.rootfs.diff_ids[0]];
        },
      });

      await expectRefused(layout.dir, layout.layers[0]!.file, /blob is \d+ bytes but .* says \d+/);
    },
    BOUND_MS,
  );

  it(
    'should follow a nested image index to the manifest',
    async () => {
      const { pools } = await openTestPools();
      const layout = buildOciLayout(join(makeTempDir(), 'img'), { refName: '1' });
      nestOciLayout(layout, 2);

      const imported = await importOciImage(pools.write, layout.dir, 'test/nested:1');

      expect(imported.digest).toBe(layout.manifestDigest);
      expect(pools.read.get('SELECT digest FROM manifest', undefined, 'pluck')).toBe(layout.manifestDigest);
    },
    BOUND_MS,
  );

  it(
    'should refuse image indexes nested deeper than the limit, naming the deepest index read',
    async () => {
      const layout = buildOciLayout(join(makeTempDir(), 'img'));
      const indexes = nestOciLayout(layout, OCI_LAYOUT_LIMITS.indexDepth + 1);
      // The index at the limit is the one that names yet another index.
      const file = indexes[OCI_LAYOUT_LIMITS.indexDepth - 1]!;

      await expectRefused(
        layout.dir,
        file,
        new RegExp(`nests image indexes more than ${OCI_LAYOUT_LIMITS.indexDepth} deep`),
      );
    },
    BOUND_MS,
  );

  it(
    'should refuse an index that names itself (its blob is not what the digest says)',
    async () => {
      const layout = buildOciLayout(join(makeTempDir(), 'img'));
      // A blob cannot hold its own digest, so it sits under one that is not its own, padded to its size.
      const hex = '1'.repeat(64);
      const self = { mediaType: INDEX_MEDIA_TYPE, digest: `sha256:${hex}`, size: 300 };
      const blob = join(layout.dir, 'blobs', 'sha256', hex);
      writeFileSync(blob, JSON.stringify({ schemaVersion: 2, manifests: [self] }).padEnd(300));
      writeFileSync(layout.indexFile, JSON.stringify({ schemaVersion: 2, manifests: [self] }));

      await expectRefused(layout.dir, blob, /blob digest is sha256:[0-9a-f]{64} but .*index\.json says/);
    },
    BOUND_MS,
  );

  it(
    'should refuse a layout whose images are named but none by the tag asked for',
    async () => {
      const layout = buildOciLayout(join(makeTempDir(), 'img'));
      const index = readIndex(layout);
      const named = (name: string) => ({
        ...index.manifests[0],
        annotations: { 'org.opencontainers.image.ref.name': name },
      });
      writeFileSync(layout.indexFile, JSON.stringify({ ...index, manifests: [named('a'), named('b')] }));

      await expectRefused(
        layout.dir,
        layout.indexFile,
        /holds images named "a", "b" and none is named "1" or "test\/hostile:1"/,
      );
    },
    BOUND_MS,
  );

  it(
    'should refuse an oci-layout of an unknown major version',
    async () => {
      const layout = buildOciLayout(join(makeTempDir(), 'img'));
      const marker = join(layout.dir, 'oci-layout');
      writeFileSync(marker, JSON.stringify({ imageLayoutVersion: '2.0.0' }));

      await expectRefused(layout.dir, marker, /imageLayoutVersion "2\.0\.0" is not supported/);
    },
    BOUND_MS,
  );

  it(
    'should refuse a gzip layer that is not gzip, naming the layer blob',
    async () => {
      const layout = buildOciLayout(join(makeTempDir(), 'img'));
      const notGzip = writeOciBlob(layout.dir, Buffer.from('plain text, not gzip'));
      const rewritten = rewriteOciLayout(layout, {
        manifest: (m) => {
          m.layers[0] = { ...m.layers[0], digest: notGzip.digest, size: notGzip.size };
        },
      });

      await expectRefused(rewritten.dir, notGzip.file, /layer cannot be decompressed/);
    },
    BOUND_MS,
  );

  it('should stop decompressing a gzip bomb at its bound, in bounded memory', async () => {
    const layout = buildOciLayout(join(makeTempDir(), 'img'));
    const bomb = writeOciBlob(layout.dir, gzipBomb(OCI_LAYOUT_LIMITS.expansionFloorBytes + 64 * 1024 ** 2));
    const rewritten = rewriteOciLayout(layout, {
      manifest: (m) => {
        m.layers[0] = { ...m.layers[0], digest: bomb.digest, size: bomb.size };
      },
    });
    const rssBefore = process.memoryUsage.rss();

    await expectRefused(
      rewritten.dir,
      bomb.file,
      new RegExp(
        `layer decompresses to more than ${OCI_LAYOUT_LIMITS.expansionFloorBytes} bytes .* refused as a decompression bomb`,
      ),
    );
    // Streaming keeps it near 35 MiB; reading the layer whole would take over 1 GiB.
    expect(process.memoryUsage.rss() - rssBefore).toBeLessThan(256 * 1024 ** 2);
    // Hashing 1 GiB is CPU work, ~2 s alone and 10 s on a loaded 2-core machine: no hang to bound here.
  }, 30_000);

  it(
    'should name the blob, not an internal path, when blobs/sha256 is missing',
    async () => {
      const layout = buildOciLayout(join(makeTempDir(), 'img'));
      rmSync(join(layout.dir, 'blobs'), { recursive: true });
      mkdirSync(join(layout.dir, 'blobs'));

      await expectRefused(layout.dir, layout.manifestFile, /blob sha256:[0-9a-f]{64} named in .* is missing/);
    },
    BOUND_MS,
  );
});
