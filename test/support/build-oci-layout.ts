import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * A way to damage a built layout, one per check `readOciLayout` makes:
 * - `bad-digest`: a layer blob's bytes changed (same size), so its sha256 no longer matches;
 * - `bad-size`: the manifest claims a layer one byte larger than its blob;
 * - `missing-blob`: a layer blob deleted;
 * - `bad-json`: the config blob is not JSON (its descriptor matches it, so only the parse fails);
 * - `wrong-media-type`: a layer descriptor says `text/plain`;
 * - `bad-diff-id`: the config's `rootfs.diff_ids` names another uncompressed digest;
 * - `bad-index`: `index.json` is not JSON;
 * - `no-oci-layout`: the `oci-layout` marker file is missing.
 *
 * @example
 * ```ts
 * const layout = buildOciLayout(dir, { corrupt: 'missing-blob' satisfies OciCorruption });
 * ```
 */
export type OciCorruption =
  | 'bad-digest'
  | 'bad-size'
  | 'missing-blob'
  | 'bad-json'
  | 'wrong-media-type'
  | 'bad-diff-id'
  | 'bad-index'
  | 'no-oci-layout';

/**
 * What to put in a test layout.
 *
 * @example
 * ```ts
 * const options: OciLayoutOptions = { layers: [{ 'etc/hello': 'hi\n' }], env: ['A=1'], corrupt: 'bad-size' };
 * ```
 */
export interface OciLayoutOptions {
  /** Files of each layer, path → content (default: two small layers). */
  readonly layers?: readonly Readonly<Record<string, string>>[];
  readonly env?: readonly string[];
  readonly cmd?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly workingDir?: string;
  /** The `org.opencontainers.image.ref.name` annotation in `index.json`. */
  readonly refName?: string;
  /** Changes the config (and so every digest above it) without changing the layers. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly corrupt?: OciCorruption;
}

/**
 * The digests of a built layout, to assert rows against.
 *
 * @example
 * ```ts
 * expect(row.digest).toBe(layout.manifestDigest);
 * ```
 */
export interface BuiltOciLayout {
  readonly dir: string;
  readonly manifestDigest: string;
  readonly configDigest: string;
  readonly layers: readonly { readonly digest: string; readonly diffId: string; readonly size: number }[];
  /** The file a corruption damaged (absent for a valid layout). */
  readonly corruptedFile?: string;
}

const MEDIA = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};

/**
 * Writes a small valid OCI image layout into `dir` (real gzip-compressed tar layers, real sha256
 * digests), optionally damaged in one way.
 *
 * @example
 * ```ts
 * const layout = buildOciLayout(join(makeTempDir(), 'img'), { cmd: ['sleep', '60'] });
 * await importOciImage(pools.write, layout.dir, 'test/app:1');
 * ```
 */
export function buildOciLayout(dir: string, options: OciLayoutOptions = {}): BuiltOciLayout {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const writeBlob = (bytes: Buffer): { digest: string; size: number; file: string } => {
    const hex = sha256(bytes);
    const file = join(blobs, hex);
    writeFileSync(file, bytes);
    return { digest: `sha256:${hex}`, size: bytes.length, file };
  };

  const layerFiles = options.layers ?? [
    { 'etc/os-release': 'ID=msb-test\n' },
    { 'bin/hello': '#!/bin/sh\necho hello\n' },
  ];
  const layers = layerFiles.map((files) => {
    const tar = tarOf(files);
    const blob = writeBlob(gzipSync(tar));
    return { ...blob, diffId: `sha256:${sha256(tar)}` };
  });

  const config = {
    architecture: 'amd64',
    os: 'linux',
    config: {
      Env: options.env ?? ['PATH=/usr/local/bin:/usr/bin:/bin'],
      Cmd: options.cmd ?? ['/bin/hello'],
      ...(options.entrypoint === undefined ? {} : { Entrypoint: options.entrypoint }),
      ...(options.workingDir === undefined ? {} : { WorkingDir: options.workingDir }),
      ...(options.labels === undefined ? {} : { Labels: options.labels }),
    },
    rootfs: {
      type: 'layers',
      diff_ids: layers.map((l, i) =>
        options.corrupt === 'bad-diff-id' && i === 0 ? `sha256:${'0'.repeat(64)}` : l.diffId,
      ),
    },
  };
  const configBlob = writeBlob(
    options.corrupt === 'bad-json' ? Buffer.from('{"architecture": "amd64", ') : json(config),
  );

  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: configBlob.digest, size: configBlob.size },
    layers: layers.map((l, i) => ({
      mediaType: options.corrupt === 'wrong-media-type' && i === 0 ? 'text/plain' : MEDIA.layer,
      digest: l.digest,
      size: options.corrupt === 'bad-size' && i === 0 ? l.size + 1 : l.size,
    })),
  };
  const manifestBlob = writeBlob(json(manifest));

  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: MEDIA.manifest,
        digest: manifestBlob.digest,
        size: manifestBlob.size,
        ...(options.refName === undefined
          ? {}
          : { annotations: { 'org.opencontainers.image.ref.name': options.refName } }),
      },
    ],
  };
  writeFileSync(
    join(dir, 'index.json'),
    options.corrupt === 'bad-index' ? '{"schemaVersion": 2,' : json(index),
  );
  if (options.corrupt !== 'no-oci-layout') {
    writeFileSync(join(dir, 'oci-layout'), json({ imageLayoutVersion: '1.0.0' }));
  }

  const first = layers[0]!;
  let corruptedFile: string | undefined;
  switch (options.corrupt) {
    case 'bad-digest': {
      const bytes = readFileSync(first.file);
      const middle = bytes.length >> 1;
      bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
      writeFileSync(first.file, bytes);
      corruptedFile = first.file;
      break;
    }
    case 'missing-blob':
      rmSync(first.file);
      corruptedFile = first.file;
      break;
    case 'bad-size':
    case 'wrong-media-type':
      corruptedFile = manifestBlob.file;
      break;
    case 'bad-json':
    case 'bad-diff-id':
      corruptedFile = configBlob.file;
      break;
    case 'bad-index':
      corruptedFile = join(dir, 'index.json');
      break;
    case 'no-oci-layout':
      corruptedFile = join(dir, 'oci-layout');
      break;
    case undefined:
      break;
  }
  if (options.corrupt === 'bad-diff-id') corruptedFile = first.file;
  return {
    dir,
    manifestDigest: manifestBlob.digest,
    configDigest: configBlob.digest,
    layers: layers.map(({ digest, diffId, size }) => ({ digest, diffId, size })),
    ...(corruptedFile === undefined ? {} : { corruptedFile }),
  };
}

/** A ustar archive of regular files (mode 0644, uid/gid 0, mtime 0), ended by two zero blocks. */
function tarOf(files: Readonly<Record<string, string>>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const body = Buffer.from(content);
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, 'utf8');
    header.write('0000644\0', 100, 'ascii');
    header.write('0000000\0', 108, 'ascii');
    header.write('0000000\0', 116, 'ascii');
    header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
    header.write('00000000000\0', 136, 'ascii');
    header.write('        ', 148, 'ascii'); // checksum field counts as spaces while summing
    header.write('0', 156, 'ascii');
    header.write('ustar\0', 257, 'ascii');
    header.write('00', 263, 'ascii');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
