import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
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
 * - `no-oci-layout`: the `oci-layout` marker file is missing;
 *
 * and ways a hostile or careless hand arranges its files (the "outside" is `<dir>-outside`, next to it):
 * - `blob-symlink`: the manifest blob is a symbolic link to an identical copy outside the layout;
 * - `blob-dev-zero`: the manifest blob is a symbolic link to `/dev/zero`;
 * - `blob-fifo` / `layer-fifo`: the manifest blob / a layer blob is a FIFO with no writer;
 * - `blob-directory`: a layer blob is a directory;
 * - `blobs-symlink` / `sha256-symlink`: `blobs` / `blobs/sha256` is a symbolic link to the real one outside;
 * - `index-symlink` / `oci-layout-symlink`: that file is a symbolic link to an identical copy outside;
 * - `index-directory`: `index.json` is a directory;
 * - `index-fifo`: `index.json` is a FIFO;
 * - `index-huge`: `index.json` is 9 MiB (sparse), past the JSON size cap;
 * - `unreadable-config`: the config blob has mode 000 (root reads it all the same);
 * - `truncated-layer` / `appended-layer`: a layer blob lost its last byte / gained one.
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
  | 'no-oci-layout'
  | 'blob-symlink'
  | 'blob-dev-zero'
  | 'blob-fifo'
  | 'layer-fifo'
  | 'blob-directory'
  | 'blobs-symlink'
  | 'sha256-symlink'
  | 'index-symlink'
  | 'oci-layout-symlink'
  | 'index-directory'
  | 'index-fifo'
  | 'index-huge'
  | 'unreadable-config'
  | 'truncated-layer'
  | 'appended-layer';

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
  readonly indexFile: string;
  readonly manifestFile: string;
  readonly configFile: string;
  readonly layers: readonly {
    readonly digest: string;
    readonly diffId: string;
    readonly size: number;
    readonly file: string;
  }[];
  /** The file a corruption damaged (absent for a valid layout). */
  readonly corruptedFile?: string;
}

const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
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
  const writeBlob = (bytes: Buffer) => writeOciBlob(dir, bytes);

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
    mediaType: MEDIA.index,
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
  const indexFile = join(dir, 'index.json');
  const markerFile = join(dir, 'oci-layout');
  const outside = `${dir}-outside`;
  /** Moves `file` out of the layout and leaves a symbolic link to it in its place. */
  const linkOut = (file: string): void => {
    mkdirSync(outside, { recursive: true });
    const target = join(outside, basename(file));
    renameSync(file, target);
    symlinkSync(target, file);
  };
  const replaceWithFifo = (file: string): void => {
    rmSync(file);
    execFileSync('mkfifo', [file]);
  };
  const corruptedFile = ((corrupt: OciCorruption | undefined): string | undefined => {
    switch (corrupt) {
      case 'bad-digest': {
        const bytes = readFileSync(first.file);
        const middle = bytes.length >> 1;
        bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
        writeFileSync(first.file, bytes);
        return first.file;
      }
      case 'missing-blob':
        rmSync(first.file);
        return first.file;
      case 'bad-size':
      case 'wrong-media-type':
        return manifestBlob.file;
      case 'bad-json':
        return configBlob.file;
      case 'bad-diff-id':
        return first.file;
      case 'bad-index':
        return indexFile;
      case 'no-oci-layout':
        return markerFile;
      case 'blob-symlink':
        linkOut(manifestBlob.file);
        return manifestBlob.file;
      case 'blob-dev-zero':
        rmSync(manifestBlob.file);
        symlinkSync('/dev/zero', manifestBlob.file);
        return manifestBlob.file;
      case 'blob-fifo':
        replaceWithFifo(manifestBlob.file);
        return manifestBlob.file;
      case 'layer-fifo':
        replaceWithFifo(first.file);
        return first.file;
      case 'blob-directory':
        rmSync(first.file);
        mkdirSync(first.file);
        return first.file;
      case 'blobs-symlink':
        linkOut(join(dir, 'blobs'));
        return join(dir, 'blobs');
      case 'sha256-symlink':
        linkOut(blobs);
        return blobs;
      case 'index-symlink':
        linkOut(indexFile);
        return indexFile;
      case 'oci-layout-symlink':
        linkOut(markerFile);
        return markerFile;
      case 'index-directory':
        rmSync(indexFile);
        mkdirSync(indexFile);
        return indexFile;
      case 'index-fifo':
        replaceWithFifo(indexFile);
        return indexFile;
      case 'index-huge':
        truncateSync(indexFile, 9 * 1024 * 1024);
        return indexFile;
      case 'unreadable-config':
        chmodSync(configBlob.file, 0o000);
        return configBlob.file;
      case 'truncated-layer':
        truncateSync(first.file, first.size - 1);
        return first.file;
      case 'appended-layer':
        writeFileSync(first.file, Buffer.from([0]), { flag: 'a' });
        return first.file;
      case undefined:
        return undefined;
    }
  })(options.corrupt);
  return {
    dir,
    manifestDigest: manifestBlob.digest,
    configDigest: configBlob.digest,
    indexFile,
    manifestFile: manifestBlob.file,
    configFile: configBlob.file,
    layers: layers.map(({ digest, diffId, size, file }) => ({ digest, diffId, size, file })),
    ...(corruptedFile === undefined ? {} : { corruptedFile }),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: an edit may reach anywhere into a JSON document
type JsonObject = Record<string, any>;

/**
 * Edits to a built layout's documents, applied bottom-up so every digest above an edit stays right:
 * the config, then the manifest (already naming the new config), then `index.json` (already naming the
 * new manifest as `manifests[0]`). An edit mutates the parsed document or returns a replacement (a
 * `Buffer` is written as is).
 *
 * @example
 * ```ts
 * const edits: OciLayoutEdits = { manifest: (m) => { m.layers[0].size = -1; } };
 * ```
 */
export interface OciLayoutEdits {
  readonly config?: (config: JsonObject) => unknown;
  readonly manifest?: (manifest: JsonObject) => unknown;
  readonly index?: (index: JsonObject) => unknown;
}

/**
 * Rewrites a valid layout's config, manifest and index with `edits`, writing new blobs (old ones stay,
 * unreferenced) and returning the layout's new digests and files.
 *
 * @example
 * ```ts
 * const layout = rewriteOciLayout(buildOciLayout(dir), { config: (c) => { c.rootfs.diff_ids.pop(); } });
 * ```
 */
export function rewriteOciLayout(layout: BuiltOciLayout, edits: OciLayoutEdits): BuiltOciLayout {
  const apply = (file: string, edit: OciLayoutEdits['config']): Buffer => {
    const value = JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
    const result = edit?.(value);
    return Buffer.isBuffer(result) ? result : json(result ?? value);
  };
  const config = writeOciBlob(layout.dir, apply(layout.configFile, edits.config));
  const manifest = writeOciBlob(
    layout.dir,
    apply(layout.manifestFile, (m) => {
      m.config = { ...m.config, digest: config.digest, size: config.size };
      return edits.manifest?.(m) ?? m;
    }),
  );
  writeFileSync(
    layout.indexFile,
    apply(layout.indexFile, (index) => {
      index.manifests[0] = { ...index.manifests[0], digest: manifest.digest, size: manifest.size };
      return edits.index?.(index) ?? index;
    }),
  );
  return {
    ...layout,
    manifestDigest: manifest.digest,
    configDigest: config.digest,
    manifestFile: manifest.file,
    configFile: config.file,
  };
}

/**
 * Puts `depth` nested image indexes between `index.json` and the manifest: `index.json` names the
 * outermost (keeping its annotations), each names the next, the innermost the manifest. Returns the
 * index blobs, outermost first.
 *
 * @example
 * ```ts
 * const [outer] = nestOciLayout(buildOciLayout(dir, { refName: '1' }), 2);
 * ```
 */
export function nestOciLayout(layout: BuiltOciLayout, depth: number): string[] {
  const index = JSON.parse(readFileSync(layout.indexFile, 'utf8'));
  const { annotations, ...manifest } = index.manifests[0];
  let entry = manifest;
  const files: string[] = [];
  for (let i = 0; i < depth; i++) {
    const blob = writeOciBlob(
      layout.dir,
      json({ schemaVersion: 2, mediaType: MEDIA.index, manifests: [entry] }),
    );
    entry = { mediaType: MEDIA.index, digest: blob.digest, size: blob.size };
    files.unshift(blob.file);
  }
  index.manifests[0] = annotations === undefined ? entry : { ...entry, annotations };
  writeFileSync(layout.indexFile, json(index));
  return files;
}

/**
 * Writes `bytes` as a blob of the layout in `dir`, named by its sha256.
 *
 * @example
 * ```ts
 * const { digest, size } = writeOciBlob(layout.dir, Buffer.from('{}'));
 * ```
 */
export function writeOciBlob(dir: string, bytes: Buffer): { digest: string; size: number; file: string } {
  const hex = sha256(bytes);
  const file = join(dir, 'blobs', 'sha256', hex);
  writeFileSync(file, bytes);
  return { digest: `sha256:${hex}`, size: bytes.length, file };
}

/**
 * A gzip layer of `bytes` zeros as concatenated gzip members (so building it takes little memory),
 * about a thousandth of that size: a decompression bomb.
 *
 * @example
 * ```ts
 * const bomb = gzipBomb(2 * 1024 ** 3);
 * ```
 */
export function gzipBomb(bytes: number): Buffer {
  const member = 64 * 1024 * 1024;
  const one = gzipSync(Buffer.alloc(member), { level: 9 });
  return Buffer.concat(Array.from({ length: Math.ceil(bytes / member) }, () => one));
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
