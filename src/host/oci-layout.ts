import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { HostError } from '../sandbox/errors.js';

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

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, unknown>>;
  readonly platform?: { readonly architecture?: unknown; readonly os?: unknown };
}

const DIGEST = /^sha256:([a-f0-9]{64})$/;
const MAX_JSON_BLOB_BYTES = 8 * 1024 * 1024;
const REF_NAME = 'org.opencontainers.image.ref.name';

/**
 * Reads and verifies an OCI image layout directory: `index.json` → the manifest (the only one, the one
 * whose `ref.name` is in `select.refNames`, or linux on this architecture) → config and layers. Every
 * blob's size, sha256 and media type are checked; gzip and plain tar layers also against the config's
 * `rootfs.diff_ids` (zstd is not: Node 20's zlib has none). Any problem is `HostError` `IMAGE_INVALID`,
 * its message starting with the file at fault. Reads only.
 */
export async function readOciLayout(dir: string, select: OciManifestSelector = {}): Promise<OciImage> {
  const layoutFile = join(dir, 'oci-layout');
  const layout = parseJson(layoutFile, await readSmallFile(layoutFile));
  if (!isRecord(layout) || typeof layout.imageLayoutVersion !== 'string') {
    throw invalid(layoutFile, 'must be a JSON object with a string "imageLayoutVersion"');
  }

  const indexFile = join(dir, 'index.json');
  const index = parseJson(indexFile, await readSmallFile(indexFile));
  if (!isRecord(index) || index.schemaVersion !== 2 || !Array.isArray(index.manifests)) {
    throw invalid(indexFile, 'must be an image index with "schemaVersion": 2 and a "manifests" array');
  }
  const descriptors = index.manifests.map((d, i) => descriptor(indexFile, `manifests[${i}]`, d));
  const manifestDescriptor = chooseManifest(indexFile, descriptors, select);

  const manifestFile = blobPath(dir, manifestDescriptor.digest);
  const manifest = parseJson(manifestFile, await readJsonBlob(manifestFile, manifestDescriptor, indexFile));
  if (!isRecord(manifest) || manifest.schemaVersion !== 2) {
    throw invalid(manifestFile, 'manifest must be a JSON object with "schemaVersion": 2');
  }
  if (manifest.mediaType !== undefined && manifest.mediaType !== manifestDescriptor.mediaType) {
    throw invalid(
      manifestFile,
      `manifest mediaType ${JSON.stringify(manifest.mediaType)} differs from ${JSON.stringify(manifestDescriptor.mediaType)} in ${indexFile}`,
    );
  }
  const configDescriptor = descriptor(manifestFile, 'config', manifest.config);
  expectMediaType(manifestFile, 'config', configDescriptor, OCI_MEDIA_TYPES.config);
  if (!Array.isArray(manifest.layers)) throw invalid(manifestFile, 'manifest has no "layers" array');
  const layerDescriptors = manifest.layers.map((d, i) => {
    const layer = descriptor(manifestFile, `layers[${i}]`, d);
    expectMediaType(manifestFile, `layers[${i}]`, layer, OCI_MEDIA_TYPES.layer);
    return layer;
  });

  const configFile = blobPath(dir, configDescriptor.digest);
  const imageConfig = parseJson(configFile, await readJsonBlob(configFile, configDescriptor, manifestFile));
  if (!isRecord(imageConfig)) throw invalid(configFile, 'image config must be a JSON object');
  const rootfs = imageConfig.rootfs;
  if (!isRecord(rootfs) || rootfs.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) {
    throw invalid(configFile, 'image config needs "rootfs": { "type": "layers", "diff_ids": [...] }');
  }
  const diffIds = rootfs.diff_ids;
  if (diffIds.length !== layerDescriptors.length) {
    throw invalid(
      configFile,
      `rootfs.diff_ids has ${diffIds.length} entries but ${manifestFile} lists ${layerDescriptors.length} layers`,
    );
  }
  const layers: OciLayer[] = [];
  for (const [i, layer] of layerDescriptors.entries()) {
    const diffId = diffIds[i];
    if (typeof diffId !== 'string' || !DIGEST.test(diffId)) {
      throw invalid(
        configFile,
        `rootfs.diff_ids[${i}] must be a sha256 digest, got ${JSON.stringify(diffId)}`,
      );
    }
    await verifyLayerBlob(blobPath(dir, layer.digest), layer, manifestFile, diffId);
    layers.push({ digest: layer.digest, diffId, mediaType: layer.mediaType, size: layer.size });
  }

  return {
    manifestDigest: manifestDescriptor.digest,
    manifestMediaType: manifestDescriptor.mediaType,
    configDigest: configDescriptor.digest,
    architecture: optionalString(configFile, 'architecture', imageConfig.architecture),
    os: optionalString(configFile, 'os', imageConfig.os),
    config: runConfig(configFile, imageConfig.config),
    layers,
  };
}

function chooseManifest(
  indexFile: string,
  all: readonly Descriptor[],
  select: OciManifestSelector,
): Descriptor {
  const manifests = all.filter((d) => (OCI_MEDIA_TYPES.manifest as readonly string[]).includes(d.mediaType));
  if (manifests.length === 0) {
    const nested = all.some((d) => (OCI_MEDIA_TYPES.index as readonly string[]).includes(d.mediaType));
    throw invalid(
      indexFile,
      nested
        ? 'lists only nested image indexes, which are not supported; export a single-platform image'
        : `lists no image manifest (accepted media types: ${OCI_MEDIA_TYPES.manifest.join(', ')})`,
    );
  }
  if (manifests.length === 1) return manifests[0]!;
  const byRef = manifests.filter((d) =>
    (select.refNames ?? []).some((name) => d.annotations?.[REF_NAME] === name),
  );
  if (byRef.length === 1) return byRef[0]!;
  const arch = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' }[process.arch as string];
  const byPlatform = manifests.filter((d) => d.platform?.os === 'linux' && d.platform.architecture === arch);
  if (byPlatform.length === 1) return byPlatform[0]!;
  throw invalid(
    indexFile,
    `lists ${manifests.length} image manifests and none is singled out by a "${REF_NAME}" annotation or a linux/${arch ?? process.arch} platform`,
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

function blobPath(dir: string, digest: string): string {
  // The digest was checked against DIGEST, so the hex part cannot walk out of blobs/sha256.
  return join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

async function readSmallFile(file: string): Promise<Buffer> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw invalid(file, 'is not a regular file');
    if (info.size > MAX_JSON_BLOB_BYTES)
      throw invalid(file, `is ${info.size} bytes, more than a JSON document may be`);
    return await readFile(file);
  } catch (err) {
    if (err instanceof HostError) throw err;
    throw invalid(file, `cannot be read: ${(err as Error).message}`, err);
  }
}

async function readJsonBlob(file: string, d: Descriptor, referencedBy: string): Promise<Buffer> {
  if (d.size > MAX_JSON_BLOB_BYTES)
    throw invalid(referencedBy, `descriptor of ${d.digest} claims ${d.size} bytes`);
  const bytes = await readBlobFile(file, d, referencedBy);
  if (bytes.length !== d.size) {
    throw invalid(file, `blob is ${bytes.length} bytes but ${referencedBy} says ${d.size}`);
  }
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== d.digest)
    throw invalid(file, `blob digest is ${actual} but ${referencedBy} says ${d.digest}`);
  return bytes;
}

async function readBlobFile(file: string, d: Descriptor, referencedBy: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw missingOrUnreadable(file, d, referencedBy, err);
  }
}

async function verifyLayerBlob(
  file: string,
  d: Descriptor,
  manifestFile: string,
  diffId: string,
): Promise<void> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw missingOrUnreadable(file, d, manifestFile, err);
  }
  if (size !== d.size) throw invalid(file, `blob is ${size} bytes but ${manifestFile} says ${d.size}`);
  // Digest first, decompression second: a damaged blob must be reported as such, not as bad gzip.
  const actual = await streamDigest(file, []);
  if (actual !== d.digest)
    throw invalid(file, `blob digest is ${actual} but ${manifestFile} says ${d.digest}`);
  const gzip = isGzipLayer(d.mediaType);
  if (!gzip && !d.mediaType.endsWith('.tar')) return;
  let uncompressed: string;
  try {
    uncompressed = gzip ? await streamDigest(file, [createGunzip()]) : actual;
  } catch (err) {
    throw invalid(file, `layer cannot be decompressed: ${(err as Error).message}`, err);
  }
  if (uncompressed !== diffId) {
    throw invalid(
      file,
      `uncompressed layer digest is ${uncompressed} but the config's rootfs.diff_ids says ${diffId}`,
    );
  }
}

async function streamDigest(file: string, transforms: readonly Transform[]): Promise<string> {
  const hash = createHash('sha256');
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback();
    },
  });
  await pipeline([createReadStream(file), ...transforms, sink]);
  return `sha256:${hash.digest('hex')}`;
}

function missingOrUnreadable(file: string, d: Descriptor, referencedBy: string, err: unknown): HostError {
  return (err as NodeJS.ErrnoException).code === 'ENOENT'
    ? invalid(file, `blob ${d.digest} named in ${referencedBy} is missing`, err)
    : invalid(file, `cannot be read: ${(err as Error).message}`, err);
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

function invalid(file: string, problem: string, cause?: unknown): HostError {
  return new HostError('IMAGE_INVALID', `${file}: ${problem}`, cause === undefined ? undefined : { cause });
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
