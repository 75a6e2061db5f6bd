import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BadInputCase, BadInputCommand } from '../support/bad-input.js';
import {
  type BuiltOciLayout,
  buildOciLayout,
  gzipBomb,
  nestOciLayout,
  type OciCorruption,
  type OciLayoutEdits,
  rewriteOciLayout,
  writeOciBlob,
} from '../support/build-oci-layout.js';

// `msb image import` exits 1 for an invalid layout (IMAGE_INVALID) and 2 for a bad --ref
// (INVALID_ARGUMENT, or a usage error): see src/cli/exit-code.ts.
const INVALID = 1;
const USAGE = 2;

/** The start of stderr naming `file` (a path below the case's `layout` directory) as the culprit. */
function naming(file: string, problem: string): RegExp {
  return new RegExp(`^msb: (image "x/y:1": )?\\S+/layout/${file}: ${problem}`);
}
const BLOB = 'blobs/sha256/[0-9a-f]{64}';
const INDEX = 'index\\.json';

function importing(layout: string, ref = 'x/y:1'): BadInputCommand {
  return { program: 'msb', args: ['image', 'import', layout, '--ref', ref] };
}

/** A case whose layout is built into `<home>/layout`, then `damage`d. */
function layoutCase(
  name: string,
  damage: (layout: BuiltOciLayout) => void,
  message: RegExp,
  exitCode = INVALID,
  ref?: string,
): BadInputCase {
  return {
    area: 'oci',
    name,
    prepare: (dir) => {
      const layout = buildOciLayout(join(dir, 'layout'));
      damage(layout);
      return importing(layout.dir, ref);
    },
    exitCode,
    message,
  };
}

function corrupted(name: string, corrupt: OciCorruption, message: RegExp): BadInputCase {
  return {
    area: 'oci',
    name,
    prepare: (dir) => importing(buildOciLayout(join(dir, 'layout'), { corrupt }).dir),
    exitCode: INVALID,
    message,
  };
}

function edited(name: string, edits: OciLayoutEdits, message: RegExp): BadInputCase {
  return layoutCase(name, (layout) => rewriteOciLayout(layout, edits), message);
}

/** Replaces the first layer of the manifest with the blob `bytes`. */
function withLayerBlob(layout: BuiltOciLayout, bytes: Buffer): void {
  const blob = writeOciBlob(layout.dir, bytes);
  rewriteOciLayout(layout, {
    manifest: (m) => {
      m.layers[0] = { ...m.layers[0], digest: blob.digest, size: blob.size };
    },
  });
}

function badRef(name: string, ref: string, message: RegExp): BadInputCase {
  return layoutCase(name, () => {}, message, USAGE, ref);
}

/** Hostile or broken OCI image layouts, and bad references, given to `msb image import`. */
export const cases: readonly BadInputCase[] = [
  {
    area: 'oci',
    name: 'layout directory does not exist',
    prepare: (dir) => importing(join(dir, 'layout')),
    exitCode: INVALID,
    message: /^msb: image "x\/y:1": \S+\/layout: does not exist/,
  },
  {
    area: 'oci',
    name: 'layout path is a regular file (a tarball given instead of its directory)',
    prepare: (dir) => {
      writeFileSync(join(dir, 'layout'), 'not a directory');
      return importing(join(dir, 'layout'));
    },
    exitCode: INVALID,
    message: /^msb: image "x\/y:1": \S+\/layout: is not a directory/,
  },
  corrupted('oci-layout marker missing', 'no-oci-layout', naming('oci-layout', 'does not exist')),
  layoutCase(
    'oci-layout is not JSON',
    (l) => writeFileSync(join(l.dir, 'oci-layout'), 'imageLayoutVersion=1.0.0\n'),
    naming('oci-layout', 'is not valid JSON'),
  ),
  layoutCase(
    'oci-layout of an unknown major version',
    (l) => writeFileSync(join(l.dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '2.0.0' })),
    naming('oci-layout', 'imageLayoutVersion "2\\.0\\.0" is not supported'),
  ),
  corrupted(
    'oci-layout is a symlink out of the layout',
    'oci-layout-symlink',
    naming('oci-layout', 'is a symbolic link'),
  ),
  layoutCase('index.json missing', (l) => rmSync(l.indexFile), naming(INDEX, 'does not exist')),
  corrupted('index.json cut short', 'bad-index', naming(INDEX, 'is not valid JSON')),
  corrupted(
    'index.json is a directory',
    'index-directory',
    naming(INDEX, 'is a directory, not a regular file'),
  ),
  corrupted('index.json is a FIFO', 'index-fifo', naming(INDEX, 'is a FIFO, not a regular file')),
  corrupted(
    'index.json is a symlink out of the layout',
    'index-symlink',
    naming(INDEX, 'is a symbolic link'),
  ),
  corrupted('index.json of 9 MiB', 'index-huge', naming(INDEX, 'is 9437184 bytes, more than the 8388608')),
  layoutCase(
    'index.json lists no manifest',
    (l) => writeFileSync(l.indexFile, JSON.stringify({ schemaVersion: 2, manifests: [] })),
    naming(INDEX, 'lists no image manifest or index'),
  ),
  edited(
    'index.json of schemaVersion 1',
    { index: (i) => ({ ...i, schemaVersion: 1 }) },
    naming(INDEX, 'must be an image index with "schemaVersion": 2'),
  ),
  edited(
    'index.json names two images, neither by the tag asked for',
    {
      index: (i) => {
        const [m] = i.manifests;
        const named = (name: string) => ({
          ...m,
          annotations: { 'org.opencontainers.image.ref.name': name },
        });
        i.manifests = [named('latest'), named('edge')];
      },
    },
    naming(INDEX, 'holds images named "latest", "edge" and none is named "1" or "x/y:1"'),
  ),
  edited(
    'manifest digest walking out of blobs/',
    {
      index: (i) => {
        i.manifests[0].digest = 'sha256:../../../../etc/passwd';
      },
    },
    naming(INDEX, 'manifests\\[0\\]\\.digest must be "sha256:" and 64 lowercase hex digits'),
  ),
  layoutCase(
    'manifest blob missing',
    (l) => rmSync(l.manifestFile),
    naming(BLOB, `blob sha256:[0-9a-f]{64} named in \\S+/${INDEX} is missing`),
  ),
  corrupted('manifest blob is a FIFO', 'blob-fifo', naming(BLOB, 'is a FIFO, not a regular file')),
  corrupted('manifest blob links to /dev/zero', 'blob-dev-zero', naming(BLOB, 'is a symbolic link')),
  corrupted(
    'manifest blob links to an identical copy outside the layout',
    'blob-symlink',
    naming(BLOB, 'is a symbolic link; nothing inside a layout may lead out of it'),
  ),
  corrupted('blobs/ is a symlink out of the layout', 'blobs-symlink', naming('blobs', 'is a symbolic link')),
  corrupted(
    'blobs/sha256/ is a symlink out of the layout',
    'sha256-symlink',
    naming('blobs/sha256', 'is a symbolic link'),
  ),
  layoutCase(
    'blobs/ is a regular file',
    (l) => {
      rmSync(join(l.dir, 'blobs'), { recursive: true });
      writeFileSync(join(l.dir, 'blobs'), '');
    },
    naming('blobs', 'is a regular file, not a directory'),
  ),
  edited(
    'manifest is a JSON array',
    { manifest: () => [] },
    naming(BLOB, 'manifest must be a JSON object with "schemaVersion": 2'),
  ),
  edited(
    'manifest mediaType differs from its descriptor in index.json',
    { manifest: (m) => ({ ...m, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }) },
    naming(BLOB, 'mediaType "application/vnd\\.docker\\.distribution\\.manifest\\.v2\\+json" differs'),
  ),
  edited(
    'manifest lists 10 000 layers',
    {
      manifest: (m) => {
        m.layers = Array.from({ length: 10_000 }, () => m.layers[0]);
      },
    },
    naming(BLOB, 'lists 10000 layers, more than the 128 an image may have'),
  ),
  edited(
    'layer size negative',
    {
      manifest: (m) => {
        m.layers[0].size = -1;
      },
    },
    naming(BLOB, 'layers\\[0\\]\\.size must be a whole number >= 0, got -1'),
  ),
  edited(
    'layer size fractional',
    {
      manifest: (m) => {
        m.layers[0].size = 106.5;
      },
    },
    naming(BLOB, 'layers\\[0\\]\\.size must be a whole number >= 0, got 106\\.5'),
  ),
  layoutCase(
    'layer size beyond Number.MAX_SAFE_INTEGER',
    (l) => {
      // Written by hand: JSON.stringify would round the number before msb ever saw it.
      rewriteOciLayout(l, {
        manifest: (m) => {
          m.layers[0].size = 0;
          return Buffer.from(JSON.stringify(m).replace('"size":0', '"size":9007199254740993'));
        },
      });
    },
    naming(BLOB, 'layers\\[0\\]\\.size must be a whole number >= 0, got 9007199254740992'),
  ),
  edited(
    'config digest in uppercase hex',
    {
      manifest: (m) => {
        m.config.digest = `sha256:${m.config.digest.slice(7).toUpperCase()}`;
      },
    },
    naming(BLOB, 'config\\.digest must be "sha256:" and 64 lowercase hex digits'),
  ),
  edited(
    'config digest of another algorithm',
    {
      manifest: (m) => {
        m.config.digest = `sha512:${'ab'.repeat(64)}`;
      },
    },
    naming(BLOB, 'config\\.digest must be "sha256:" and 64 lowercase hex digits, got "sha512:'),
  ),
  edited(
    'config descriptor claims 9 MiB',
    {
      manifest: (m) => {
        m.config.size = 9 * 1024 * 1024;
      },
    },
    naming(BLOB, 'descriptor of sha256:[0-9a-f]{64} claims 9437184 bytes'),
  ),
  corrupted('config is not JSON', 'bad-json', naming(BLOB, 'is not valid JSON')),
  edited(
    'config without rootfs',
    {
      config: (c) => {
        delete c.rootfs;
      },
    },
    naming(BLOB, 'image config needs "rootfs"'),
  ),
  edited(
    'config diff_ids fewer than the layers',
    {
      config: (c) => {
        c.rootfs.diff_ids.pop();
      },
    },
    naming(BLOB, 'rootfs\\.diff_ids has 1 entries but \\S+ lists 2 layers'),
  ),
  edited(
    'config Env entry without =',
    {
      config: (c) => {
        c.config.Env.push('DEBUG');
      },
    },
    naming(BLOB, 'config\\.Env entry "DEBUG" is not NAME=value'),
  ),
  corrupted(
    'layer media type text/plain',
    'wrong-media-type',
    naming(BLOB, 'layers\\[0\\]\\.mediaType "text/plain"'),
  ),
  corrupted('layer blob is a FIFO', 'layer-fifo', naming(BLOB, 'is a FIFO, not a regular file')),
  corrupted(
    'layer blob is a directory',
    'blob-directory',
    naming(BLOB, 'is a directory, not a regular file'),
  ),
  corrupted(
    'layer blob one byte short',
    'truncated-layer',
    naming(BLOB, 'blob is \\d+ bytes but \\S+ says \\d+'),
  ),
  corrupted(
    'layer blob one byte long',
    'appended-layer',
    naming(BLOB, 'blob is \\d+ bytes but \\S+ says \\d+'),
  ),
  corrupted(
    'layer blob with a flipped byte',
    'bad-digest',
    naming(BLOB, 'blob digest is sha256:[0-9a-f]{64} but'),
  ),
  corrupted(
    'layer diff_id wrong',
    'bad-diff-id',
    naming(BLOB, 'uncompressed layer digest is sha256:[0-9a-f]{64} but'),
  ),
  layoutCase(
    'layer said to be gzip but plain text',
    (l) => withLayerBlob(l, Buffer.from('this is not gzip\n')),
    naming(BLOB, 'layer cannot be decompressed'),
  ),
  layoutCase(
    'layer is a gzip bomb (1 MiB expanding to over 1 GiB)',
    (l) => withLayerBlob(l, gzipBomb(1024 ** 3 + 64 * 1024 ** 2)),
    naming(BLOB, 'layer decompresses to more than 1073741824 bytes'),
  ),
  layoutCase(
    'image indexes nested 5 deep',
    (l) => nestOciLayout(l, 5),
    naming(BLOB, 'nests image indexes more than 4 deep below index\\.json'),
  ),
  layoutCase(
    'index names itself',
    (l) => {
      const hex = '1'.repeat(64);
      const self = {
        mediaType: 'application/vnd.oci.image.index.v1+json',
        digest: `sha256:${hex}`,
        size: 300,
      };
      const index = JSON.stringify({ schemaVersion: 2, manifests: [self] });
      writeFileSync(join(l.dir, 'blobs', 'sha256', hex), index.padEnd(300));
      writeFileSync(l.indexFile, index);
    },
    naming(`blobs/sha256/${'1'.repeat(64)}`, `blob digest is sha256:[0-9a-f]{64} but \\S+/${INDEX} says`),
  ),
  edited(
    'index.json says the manifest is one byte longer than it is',
    {
      index: (i) => {
        i.manifests[0].size += 1;
      },
    },
    naming(BLOB, `blob is (\\d+) bytes but \\S+/${INDEX} says \\d+`),
  ),
  {
    area: 'oci',
    name: '--ref missing',
    prepare: (dir) => ({
      program: 'msb',
      args: ['image', 'import', buildOciLayout(join(dir, 'layout')).dir],
    }),
    exitCode: USAGE,
    message: /image import: missing --ref <name:tag>/,
  },
  badRef('--ref without a tag', 'x/y', /image reference "x\/y" is invalid: a tag is required/),
  badRef('--ref with an empty tag', 'x/y:', /image reference "x\/y:" is invalid: tag "" must be/),
  badRef(
    '--ref tag starting with a dot',
    'x/y:.1',
    /image reference "x\/y:\.1" is invalid: tag "\.1" must be/,
  ),
  badRef('--ref tag of 129 characters', `x/y:${'t'.repeat(129)}`, /is invalid: tag "t{129}" must be 1-128/),
  badRef(
    '--ref name in uppercase',
    'X/Y:1',
    /image reference "X\/Y:1" is invalid: name "X\/Y" must be lowercase/,
  ),
  badRef(
    '--ref registry with a non-numeric port',
    'localhost:http/y:1',
    /image reference "localhost:http\/y:1" is invalid: registry "localhost:http" is not a host\[:port\]/,
  ),
  badRef(
    '--ref whose first component is ..',
    '../y:1',
    /image reference "\.\.\/y:1" is invalid: registry "\.\." is not a host\[:port\]/,
  ),
];
