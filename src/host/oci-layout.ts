import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { type Transform, Transform as TransformStream, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { HostError } from '../sandbox/errors.js';
import { layoutInvalid as invalid, OciLayoutDir, type OciLayoutFile } from './oci-layout-dir.js';

/** An image read from an OCI image layout, every blob verified. */
export interface OciImage {
  readonly manifestDigest: string;
  readonly manifestMediaType: string;
  readonly configDigest: string;
  readonly architecture: string | null;
  readonly os: string | null;
  readonly config: OciImageConfig;
  /** In manifest order (base layer first). */
  readonly layers: readonly OciLayer[];
}

/** The run defaults of an image config (its `config` object), as stored. */
export interface OciImageConfig {
  readonly env: readonly string[] | null;
  readonly cmd: readonly string[] | null;
  readonly entrypoint: readonly string[] | null;
  readonly workingDir: string | null;
  readonly user: string | null;
  readonly labels: Readonly<Record<string, string>> | null;
  readonly stopSignal: string | null;
}

/** One layer: its blob (compressed) and its `diff_id` (digest of the uncompressed tar). */
export interface OciLayer {
  readonly digest: string;
  readonly diffId: string;
  readonly mediaType: string;
  readonly size: number;
}

/** How to choose among several manifests of one index. */
export interface OciManifestSelector {
  /** Matched against the `ref.name` annotation: the tag (skopeo, umoci) or the whole reference (BuildKit). */
  readonly refNames?: readonly string[];
}

/**
 * The most {@link readOciLayout} accepts, so that a hostile layout costs bounded memory and time.
 *
 * @example
 * ```ts
 * if (manifest.layers.length > OCI_LAYOUT_LIMITS.layers) console.warn('too many layers');
 * ```
 */
export const OCI_LAYOUT_LIMITS = Object.freeze({
  /** Bytes of one JSON document: `oci-layout`, `index.json`, an index, manifest or config blob. */
  jsonBytes: 8 * 1024 * 1024,
  /** Layers of one manifest: Docker refuses more than 125 (overlay's mount options run out). */
  layers: 128,
  /** Image indexes followed below `index.json` (BuildKit writes one for a multi-platform image). */
  indexDepth: 4,
  /** A gzip layer may decompress to this many times its blob's size (gzip's own limit is ~1032)… */
  expansion: 100,
  /** …or to this many bytes, whichever is more, since small layers of zeros are real. */
  expansionFloorBytes: 1024 * 1024 * 1024,
});

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, unknown>>;
  readonly platform?: { readonly architecture?: unknown; readonly os?: unknown };
}

/** A JSON document of the layout, parsed, with the file it came from. */
interface JsonFile {
  readonly path: string;
  readonly value: unknown;
}

const DIGEST = /^sha256:([a-f0-9]{64})$/;
const REF_NAME = 'org.opencontainers.image.ref.name';
const STREAM_CHUNK_BYTES = 1024 * 1024;

/**
 * Reads and verifies an OCI image layout directory: `index.json` (and nested image indexes) → the
 * manifest (the only one, the one whose `ref.name` is in `select.refNames`, or linux on this
 * architecture) → config and layers. Reads only.
 *
 * 1. Files are opened as {@link OciLayoutDir} does: regular files only, no symbolic link inside the
 *    layout (the directory itself may be reached through one), no FIFO or device read.
 * 2. Every blob must be exactly its descriptor's size (at most size + 1 bytes are ever read) and match
 *    its sha256; JSON documents are at most `OCI_LAYOUT_LIMITS.jsonBytes`.
 * 3. Media types are checked; gzip and plain tar layers also against the config's `rootfs.diff_ids`
 *    (zstd is not: Node 20's zlib has none), decompressing no more than `OCI_LAYOUT_LIMITS` allows.
 *
 * Any problem is `HostError` `IMAGE_INVALID`, its message starting with the file at fault.
 *
 * @example
 * ```ts
 * const image = await readOciLayout('/tmp/alpine-oci', { refNames: ['3.20', 'alpine:3.20'] });
 * console.log(image.manifestDigest, image.layers.length);
 * ```
 */
export async function readOciLayout(dir: string, select: OciManifestSelector = {}): Promise<OciImage> {
  const layout = await OciLayoutDir.open(dir);
  try {
    return await readImage(layout, select);
  } finally {
    await layout.close();
  }
}

async function readImage(layout: OciLayoutDir, select: OciManifestSelector): Promise<OciImage> {
  const marker = await readJsonFile(layout, 'oci-layout');
  if (!isRecord(marker.value) || typeof marker.value.imageLayoutVersion !== 'string') {
    throw invalid(marker.path, 'must be a JSON object with a string "imageLayoutVersion"');
  }
  if (!/^1\.\d+\.\d+$/.test(marker.value.imageLayoutVersion)) {
    throw invalid(
      marker.path,
      `imageLayoutVersion ${JSON.stringify(marker.value.imageLayoutVersion)} is not supported (1.x.y is)`,
    );
  }

  const { descriptor: manifestDescriptor, from } = await findManifest(
    layout,
    await readJsonFile(layout, 'index.json'),
    select,
  );
  const { path: manifestFile, value: manifest } = await readJsonBlob(layout, manifestDescriptor, from);
  if (!isRecord(manifest) || manifest.schemaVersion !== 2) {
    throw invalid(manifestFile, 'manifest must be a JSON object with "schemaVersion": 2');
  }
  expectOwnMediaType(manifestFile, manifest, manifestDescriptor, from);
  const configDescriptor = descriptor(manifestFile, 'config', manifest.config);
  expectMediaType(manifestFile, 'config', configDescriptor, OCI_MEDIA_TYPES.config);
  if (!Array.isArray(manifest.layers)) throw invalid(manifestFile, 'manifest has no "layers" array');
  if (manifest.layers.length > OCI_LAYOUT_LIMITS.layers) {
    throw invalid(
      manifestFile,
      `lists ${manifest.layers.length} layers, more than the ${OCI_LAYOUT_LIMITS.layers} an image may have`,
    );
  }
  const layerDescriptors = manifest.layers.map((d, i) => {
    const layer = descriptor(manifestFile, `layers[${i}]`, d);
    expectMediaType(manifestFile, `layers[${i}]`, layer, OCI_MEDIA_TYPES.layer);
    return layer;
  });

  const { path: configFile, value: imageConfig } = await readJsonBlob(layout, configDescriptor, manifestFile);
  if (!isRecord(imageConfig)) throw invalid(configFile, 'image config must be a JSON object');
  const rootfs = imageConfig.rootfs;
  if (!isRecord(rootfs) || rootfs.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) {
    throw invalid(configFile, 'image config needs "rootfs": { "type": "layers", "diff_ids": [...] }');
  }
  const diffIds = rootfs.diff_ids.map((diffId: unknown, i) => {
    if (typeof diffId !== 'string' || !DIGEST.test(diffId)) {
      throw invalid(
        configFile,
        `rootfs.diff_ids[${i}] must be a sha256 digest, got ${JSON.stringify(diffId)}`,
      );
    }
    return diffId;
  });
  if (diffIds.length !== layerDescriptors.length) {
    throw invalid(
      configFile,
      `rootfs.diff_ids has ${diffIds.length} entries but ${manifestFile} lists ${layerDescriptors.length} layers`,
    );
  }
  // Everything cheap is checked before any layer is hashed.
  const architecture = optionalString(configFile, 'architecture', imageConfig.architecture);
  const os = optionalString(configFile, 'os', imageConfig.os);
  const config = runConfig(configFile, imageConfig.config);
  const layers: OciLayer[] = [];
  // An image may list one blob twice (Docker's empty layer): it is read once.
  const verified = new Map<string, string | null>();
  for (const [i, layer] of layerDescriptors.entries()) {
    const diffId = diffIds[i]!;
    const key = `${layer.digest} ${layer.size} ${layer.mediaType}`;
    let uncompressed = verified.get(key);
    if (uncompressed === undefined) {
      uncompressed = await verifyLayerBlob(layout, layer, manifestFile);
      verified.set(key, uncompressed);
    }
    if (uncompressed !== null && uncompressed !== diffId) {
      throw invalid(
        blobPath(layout, layer.digest),
        `uncompressed layer digest is ${uncompressed} but the config's rootfs.diff_ids says ${diffId}`,
      );
    }
    layers.push({ digest: layer.digest, diffId, mediaType: layer.mediaType, size: layer.size });
  }

  return {
    manifestDigest: manifestDescriptor.digest,
    manifestMediaType: manifestDescriptor.mediaType,
    configDigest: configDescriptor.digest,
    architecture,
    os,
    config,
    layers,
  };
}

/** Follows `index.json` through nested indexes (at most `indexDepth`) to the manifest to import. */
async function findManifest(
  layout: OciLayoutDir,
  indexJson: JsonFile,
  select: OciManifestSelector,
): Promise<{ descriptor: Descriptor; from: string }> {
  let { path, value } = indexJson;
  for (let depth = 0; ; depth++) {
    if (!isRecord(value) || value.schemaVersion !== 2 || !Array.isArray(value.manifests)) {
      throw invalid(path, 'must be an image index with "schemaVersion": 2 and a "manifests" array');
    }
    const file = path;
    const chosen = chooseDescriptor(
      file,
      value.manifests.map((d, i) => descriptor(file, `manifests[${i}]`, d)),
      select,
    );
    if (isOneOf(chosen.mediaType, OCI_MEDIA_TYPES.manifest)) return { descriptor: chosen, from: file };
    if (depth === OCI_LAYOUT_LIMITS.indexDepth) {
      throw invalid(
        file,
        `nests image indexes more than ${OCI_LAYOUT_LIMITS.indexDepth} deep below index.json`,
      );
    }
    ({ path, value } = await readJsonBlob(layout, chosen, file));
    if (isRecord(value)) expectOwnMediaType(path, value, chosen, file);
  }
}

function chooseDescriptor(file: string, all: readonly Descriptor[], select: OciManifestSelector): Descriptor {
  const candidates = all.filter(
    (d) => isOneOf(d.mediaType, OCI_MEDIA_TYPES.manifest) || isOneOf(d.mediaType, OCI_MEDIA_TYPES.index),
  );
  if (candidates.length === 0) {
    throw invalid(
      file,
      `lists no image manifest or index (accepted media types: ${[...OCI_MEDIA_TYPES.manifest, ...OCI_MEDIA_TYPES.index].join(', ')})`,
    );
  }
  if (candidates.length === 1) return candidates[0]!;
  const wanted = select.refNames ?? [];
  const named = candidates.filter((d) => wanted.some((name) => d.annotations?.[REF_NAME] === name));
  if (named.length === 1) return named[0]!;
  const names = [
    ...new Set(candidates.map((d) => d.annotations?.[REF_NAME]).filter((n) => typeof n === 'string')),
  ];
  // Several names and none asked for: these are different images, and guessing one would be wrong.
  if (named.length === 0 && wanted.length > 0 && names.length > 1) {
    throw invalid(
      file,
      `holds images named ${names.map((n) => JSON.stringify(n)).join(', ')} and none is named ${wanted.map((n) => JSON.stringify(n)).join(' or ')}`,
    );
  }
  const pool = named.length > 1 ? named : candidates;
  const arch = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' }[process.arch as string];
  const byPlatform = pool.filter((d) => d.platform?.os === 'linux' && d.platform.architecture === arch);
  if (byPlatform.length === 1) return byPlatform[0]!;
  throw invalid(
    file,
    `lists ${pool.length} image manifests and none is singled out by a "${REF_NAME}" annotation or a linux/${arch ?? process.arch} platform`,
  );
}

function descriptor(file: string, where: string, value: unknown): Descriptor {
  if (!isRecord(value)) throw invalid(file, `${where} must be a descriptor object`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string') throw invalid(file, `${where}.mediaType must be a string`);
  if (typeof digest !== 'string' || !DIGEST.test(digest)) {
    throw invalid(
      file,
      `${where}.digest must be "sha256:" and 64 lowercase hex digits, got ${JSON.stringify(digest)}`,
    );
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw invalid(file, `${where}.size must be a whole number >= 0, got ${JSON.stringify(size)}`);
  }
  const { annotations, platform } = value;
  return {
    mediaType,
    digest,
    size,
    ...(isRecord(annotations) ? { annotations } : {}),
    ...(isRecord(platform) ? { platform } : {}),
  };
}

function expectMediaType(file: string, where: string, d: Descriptor, accepted: readonly string[]): void {
  if (!accepted.includes(d.mediaType)) {
    throw invalid(
      file,
      `${where}.mediaType ${JSON.stringify(d.mediaType)} is not one of ${accepted.join(', ')}`,
    );
  }
}

/** A document's own `mediaType`, when it has one, must be the one its descriptor gave. */
function expectOwnMediaType(
  file: string,
  document: Record<string, unknown>,
  d: Descriptor,
  referencedBy: string,
): void {
  if (document.mediaType !== undefined && document.mediaType !== d.mediaType) {
    throw invalid(
      file,
      `mediaType ${JSON.stringify(document.mediaType)} differs from ${JSON.stringify(d.mediaType)} in ${referencedBy}`,
    );
  }
}

function blobPath(layout: OciLayoutDir, digest: string): string {
  return join(layout.path, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

/** Opens the blob of `d` (named in `referencedBy`) and checks its size. */
async function openBlob(layout: OciLayoutDir, d: Descriptor, referencedBy: string): Promise<OciLayoutFile> {
  // The digest was checked against DIGEST, so the hex part is one plain file name.
  const blob = await layout.openFile(
    ['blobs', 'sha256', d.digest.slice('sha256:'.length)],
    `blob ${d.digest} named in ${referencedBy} is missing`,
  );
  if (blob.size !== d.size) {
    await blob.handle.close();
    throw invalid(blob.path, `blob is ${blob.size} bytes but ${referencedBy} says ${d.size}`);
  }
  return blob;
}

/** Reads `oci-layout` or `index.json`: a regular file of at most `jsonBytes`, parsed. */
async function readJsonFile(layout: OciLayoutDir, name: string): Promise<JsonFile> {
  const max = OCI_LAYOUT_LIMITS.jsonBytes;
  const file = await layout.openFile([name]);
  try {
    if (file.size > max)
      throw invalid(file.path, `is ${file.size} bytes, more than the ${max} a JSON document may have`);
    const bytes = await readUpTo(file, Math.min(file.size, max) + 1);
    if (bytes.length > max)
      throw invalid(file.path, `grew past the ${max} bytes a JSON document may have while being read`);
    return { path: file.path, value: parseJson(file.path, bytes) };
  } finally {
    await file.handle.close();
  }
}

/** Reads the JSON blob of `d` (named in `referencedBy`), its size and digest checked, parsed. */
async function readJsonBlob(layout: OciLayoutDir, d: Descriptor, referencedBy: string): Promise<JsonFile> {
  const max = OCI_LAYOUT_LIMITS.jsonBytes;
  if (d.size > max) {
    throw invalid(
      referencedBy,
      `descriptor of ${d.digest} claims ${d.size} bytes, more than the ${max} a JSON document may have`,
    );
  }
  const blob = await openBlob(layout, d, referencedBy);
  try {
    const bytes = await readUpTo(blob, d.size + 1);
    if (bytes.length !== d.size) throw sizeChanged(blob, bytes.length, d.size, referencedBy);
    const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (actual !== d.digest) {
      throw invalid(blob.path, `blob digest is ${actual} but ${referencedBy} says ${d.digest}`);
    }
    return { path: blob.path, value: parseJson(blob.path, bytes) };
  } finally {
    await blob.handle.close();
  }
}

/** Reads at most `limit` bytes from the start of `file` (fewer at its end). */
async function readUpTo(file: OciLayoutFile, limit: number): Promise<Buffer> {
  const buffer = Buffer.alloc(limit);
  let filled = 0;
  while (filled < limit) {
    const { bytesRead } = await file.handle.read(buffer, filled, limit - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

function sizeChanged(blob: OciLayoutFile, read: number, size: number, referencedBy: string): Error {
  return invalid(
    blob.path,
    read > size
      ? `blob grew past the ${size} bytes ${referencedBy} says while being read`
      : `blob shrank to ${read} bytes while being read (${referencedBy} says ${size})`,
  );
}

/**
 * Checks a layer blob's digest, then returns the digest of its uncompressed tar (the blob's own for a
 * plain tar; null for zstd, which Node 20 cannot decompress).
 */
async function verifyLayerBlob(
  layout: OciLayoutDir,
  d: Descriptor,
  manifestFile: string,
): Promise<string | null> {
  const blob = await openBlob(layout, d, manifestFile);
  try {
    // Digest first, decompression second: a damaged blob must be reported as such, not as bad gzip.
    const actual = await streamDigest(blob, d.size, manifestFile, []);
    if (actual !== d.digest) {
      throw invalid(blob.path, `blob digest is ${actual} but ${manifestFile} says ${d.digest}`);
    }
    if (!isGzipLayer(d.mediaType)) return d.mediaType.endsWith('.tar') ? actual : null;
    try {
      return await streamDigest(blob, d.size, manifestFile, [
        createGunzip({ chunkSize: STREAM_CHUNK_BYTES }),
      ]);
    } catch (err) {
      if (isLayoutError(err)) throw err;
      throw invalid(blob.path, `layer cannot be decompressed: ${(err as Error).message}`, err);
    }
  } finally {
    await blob.handle.close();
  }
}

/**
 * The sha256 of `blob`'s `size` bytes after `transforms`, reading at most one byte more (a blob that
 * grew is refused) and refusing output beyond what a layer of that size may expand to.
 */
async function streamDigest(
  blob: OciLayoutFile,
  size: number,
  referencedBy: string,
  transforms: readonly Transform[],
): Promise<string> {
  const maxOutput =
    transforms.length === 0
      ? size
      : Math.max(OCI_LAYOUT_LIMITS.expansionFloorBytes, OCI_LAYOUT_LIMITS.expansion * size);
  const hash = createHash('sha256');
  let read = 0;
  let written = 0;
  const counter = new TransformStream({
    transform(chunk: Buffer, _encoding, callback) {
      read += chunk.length;
      callback(read > size ? sizeChanged(blob, read, size, referencedBy) : null, chunk);
    },
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written += chunk.length;
      if (written > maxOutput) {
        callback(
          invalid(
            blob.path,
            `layer decompresses to more than ${maxOutput} bytes (the most for a ${size}-byte blob is ${OCI_LAYOUT_LIMITS.expansion} times its size or ${OCI_LAYOUT_LIMITS.expansionFloorBytes} bytes); refused as a decompression bomb`,
          ),
        );
        return;
      }
      hash.update(chunk);
      callback();
    },
  });
  const source = blob.handle.createReadStream({
    start: 0,
    end: size, // inclusive: one byte past the declared size, to notice a blob that grew
    autoClose: false,
    highWaterMark: STREAM_CHUNK_BYTES,
  });
  await pipeline([source, counter, ...transforms, sink]);
  if (read !== size) throw sizeChanged(blob, read, size, referencedBy);
  return `sha256:${hash.digest('hex')}`;
}

function isLayoutError(err: unknown): boolean {
  return err instanceof HostError && err.code === 'IMAGE_INVALID';
}

function parseJson(file: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw invalid(file, `is not valid JSON: ${(err as Error).message}`, err);
  }
}

function runConfig(file: string, value: unknown): OciImageConfig {
  if (value === undefined || value === null) {
    return {
      env: null,
      cmd: null,
      entrypoint: null,
      workingDir: null,
      user: null,
      labels: null,
      stopSignal: null,
    };
  }
  if (!isRecord(value)) throw invalid(file, '"config" must be an object');
  const labels = value.Labels;
  if (labels !== undefined && labels !== null) {
    if (!isRecord(labels) || !Object.values(labels).every((v) => typeof v === 'string')) {
      throw invalid(file, 'config.Labels must be an object of strings');
    }
  }
  const env = stringArray(file, 'config.Env', value.Env);
  for (const entry of env ?? []) {
    if (!entry.includes('='))
      throw invalid(file, `config.Env entry ${JSON.stringify(entry)} is not NAME=value`);
  }
  return {
    env,
    cmd: stringArray(file, 'config.Cmd', value.Cmd),
    entrypoint: stringArray(file, 'config.Entrypoint', value.Entrypoint),
    workingDir: optionalString(file, 'config.WorkingDir', value.WorkingDir) || null,
    user: optionalString(file, 'config.User', value.User) || null,
    labels: (labels ?? null) as Readonly<Record<string, string>> | null,
    stopSignal: optionalString(file, 'config.StopSignal', value.StopSignal) || null,
  };
}

function stringArray(file: string, key: string, value: unknown): readonly string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw invalid(file, `${key} must be an array of strings`);
  }
  return value as string[];
}

function optionalString(file: string, key: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(file, `${key} must be a string`);
  return value;
}

function isOneOf(value: string, accepted: readonly string[]): boolean {
  return accepted.includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Accepted media types by role; Docker's schema 2 next to OCI's, since `docker save` still emits them. */
export const OCI_MEDIA_TYPES = {
  index: [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
  ],
  manifest: [
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json',
  ],
  config: ['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json'],
  layer: [
    'application/vnd.oci.image.layer.v1.tar',
    'application/vnd.oci.image.layer.v1.tar+gzip',
    'application/vnd.oci.image.layer.v1.tar+zstd',
    'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ],
} as const satisfies Record<string, readonly string[]>;

/** Whether a layer media type is gzip-compressed (its `diff_id` is the digest after gunzip). */
export function isGzipLayer(mediaType: string): boolean {
  return mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip');
}
