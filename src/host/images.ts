import type { DbReadConnection, DbWriteConnection, DbWriteTransaction } from '../db/index.js';
import {
  countManifestUsers,
  deleteImageRef,
  deleteManifest,
  deleteUnusedLayers,
  insertImageConfig,
  insertManifest,
  insertManifestLayer,
  listImageRefs,
  listManifestLayers,
  listSandboxesPinningManifest,
  selectImageDefaults,
  selectImageDetails,
  selectImageRef,
  selectManifestByDigest,
  upsertImageRef,
  upsertLayer,
} from '../generated/index.js';
import { HostError } from '../sandbox/errors.js';
import { type OciImage, readOciLayout } from './oci-layout.js';

/**
 * What {@link removeImage} deleted.
 *
 * @example
 * ```ts
 * const { manifestDeleted }: RemovedImage = await removeImage(pools.write, 'alpine:3.20');
 * ```
 */
export interface RemovedImage {
  readonly reference: string;
  readonly digest: string;
  /** False when another reference still names the manifest (only the reference went). */
  readonly manifestDeleted: boolean;
}

/**
 * Removes an image reference in one transaction, and with its last reference the manifest, its config
 * and every layer no other manifest uses. An unknown reference is `HostError` `IMAGE_NOT_FOUND`; the
 * last reference of a manifest a sandbox pins is `IMAGE_IN_USE` naming the sandboxes (nothing removed).
 *
 * @example
 * ```ts
 * await removeImage(pools.write, 'alpine:3.20');
 * ```
 */
export function removeImage(write: DbWriteConnection, reference: string): Promise<RemovedImage> {
  return write.transaction((tx) => {
    const ref = selectImageRef(tx, { reference });
    if (ref === undefined) throw new HostError('IMAGE_NOT_FOUND', `image "${reference}" does not exist`);
    deleteImageRef(tx, { reference });
    const users = countManifestUsers(tx, { manifestId: ref.manifestId });
    if (users !== undefined && users.refs === 0 && users.pins > 0) {
      const pinnedBy = listSandboxesPinningManifest(tx, { manifestId: ref.manifestId }).map(
        (r) => `"${r.name}"`,
      );
      // Thrown inside the transaction: the reference deleted above comes back with the rollback.
      throw new HostError(
        'IMAGE_IN_USE',
        `image "${reference}" (${ref.digest}) is pinned by sandbox ${pinnedBy.join(', ')}; remove the sandbox first`,
      );
    }
    const manifestDeleted = dropManifestIfUnused(tx, ref.manifestId);
    return { reference, digest: ref.digest, manifestDeleted };
  });
}

/** An image reference resolved to its manifest and the run defaults of its config. */
export interface ResolvedImage {
  readonly reference: string;
  readonly manifestId: number;
  readonly digest: string;
  /** `Env` as a record (`NAME=value` split at the first `=`; a later entry wins). */
  readonly env: Readonly<Record<string, string>>;
  readonly cmd: readonly string[] | null;
  readonly entrypoint: readonly string[] | null;
  readonly workingDir: string | null;
}

/**
 * Resolves a reference for a sandbox created from it (defaults, and the digest to pin), on a read
 * connection or inside the write transaction that creates the sandbox; malformed is `INVALID_ARGUMENT`
 * (a typo, not a missing image), unknown is `IMAGE_NOT_FOUND`.
 */
export function resolveImage(conn: DbReadConnection | DbWriteTransaction, reference: string): ResolvedImage {
  parseImageReference(reference);
  const row = selectImageDefaults(conn, { reference });
  if (row === undefined) {
    throw new HostError(
      'IMAGE_NOT_FOUND',
      `image "${reference}" does not exist (import it with msb image import)`,
    );
  }
  const env: Record<string, string> = {};
  for (const entry of parseArray(row.env)) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return {
    reference,
    manifestId: row.manifestId,
    digest: row.digest,
    env,
    cmd: row.cmd === null ? null : parseArray(row.cmd),
    entrypoint: row.entrypoint === null ? null : parseArray(row.entrypoint),
    workingDir: row.workingDir,
  };
}

function parseArray(json: string | null): string[] {
  // Written by importOciImage from checked string arrays; anything else means the row was edited by hand.
  if (json === null) return [];
  const value: unknown = JSON.parse(json);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new TypeError(`config row holds ${json}, not a JSON array of strings`);
  }
  return value;
}

/**
 * What {@link importOciImage} stored.
 *
 * @example
 * ```ts
 * const { manifestId, digest, created }: ImportedImage = await importOciImage(pools.write, dir, 'app:1');
 * ```
 */
export interface ImportedImage {
  readonly reference: string;
  readonly manifestId: number;
  readonly digest: string;
  /** False when the manifest was already stored (only the reference changed). */
  readonly created: boolean;
  /** The digest the reference named before, if it named another one. */
  readonly previousDigest: string | null;
  readonly layerCount: number;
  /** Sum of the compressed layer sizes. */
  readonly totalSizeBytes: number;
}

/**
 * Imports an OCI image layout directory under a reference (`name:tag`). The reference is checked and the
 * layout read and verified (`IMAGE_INVALID` naming the file at fault) before anything is written; then
 * manifest, config, layers (shared by `diff_id`) and the reference go in ONE transaction. A stored digest
 * only gains the reference; a re-pointed reference drops its old manifest if nothing else uses it.
 *
 * @example
 * ```ts
 * const image = await importOciImage(pools.write, '/tmp/alpine-oci', 'alpine:3.20');
 * console.log(`${image.reference} → ${image.digest}`);
 * ```
 */
export async function importOciImage(
  write: DbWriteConnection,
  dir: string,
  reference: string,
): Promise<ImportedImage> {
  parseImageReference(reference);
  const tag = reference.slice(reference.lastIndexOf(':') + 1);
  const image = await readOciLayout(dir, { refNames: [tag, reference] });
  return write.transaction((tx) => persistImage(tx, image, reference));
}

function persistImage(tx: DbWriteTransaction, image: OciImage, reference: string): ImportedImage {
  const totalSizeBytes = image.layers.reduce((sum, layer) => sum + layer.size, 0);
  const existing = selectManifestByDigest(tx, { digest: image.manifestDigest });
  let manifestId: number;
  if (existing === undefined) {
    manifestId = insertManifest(tx, {
      digest: image.manifestDigest,
      mediaType: image.manifestMediaType,
      configDigest: image.configDigest,
      architecture: image.architecture,
      os: image.os,
      layerCount: image.layers.length,
      totalSizeBytes,
    });
    const c = image.config;
    insertImageConfig(tx, {
      manifestId,
      env: json(c.env),
      cmd: json(c.cmd),
      entrypoint: json(c.entrypoint),
      workingDir: c.workingDir,
      user: c.user,
      labels: json(c.labels),
      stopSignal: c.stopSignal,
    });
    for (const [position, layer] of image.layers.entries()) {
      const row = upsertLayer(tx, {
        diffId: layer.diffId,
        blobDigest: layer.digest,
        mediaType: layer.mediaType,
        compressedSizeBytes: layer.size,
      });
      insertManifestLayer(tx, { manifestId, layerId: row.id, position });
    }
  } else {
    manifestId = existing.id;
  }
  const previous = selectImageRef(tx, { reference });
  upsertImageRef(tx, { reference, manifestId });
  const repointed = previous !== undefined && previous.manifestId !== manifestId;
  if (repointed) dropManifestIfUnused(tx, previous.manifestId);
  return {
    reference,
    manifestId,
    digest: image.manifestDigest,
    created: existing === undefined,
    previousDigest: repointed ? previous.digest : null,
    layerCount: image.layers.length,
    totalSizeBytes,
  };
}

function json(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}

/** Deletes a manifest nothing names or pins (config and layer links cascade), then unused layers. */
export function dropManifestIfUnused(tx: DbWriteTransaction, manifestId: number): boolean {
  const users = countManifestUsers(tx, { manifestId });
  if (users === undefined || users.refs > 0 || users.pins > 0) return false;
  deleteManifest(tx, { id: manifestId });
  deleteUnusedLayers(tx);
  return true;
}

const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
// Docker's domain grammar: dot-separated labels of letters, digits and inner hyphens, then a port.
const REGISTRY =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Checks `[registry[:port]/]name:tag` (Docker's grammar, tag required); else `INVALID_ARGUMENT`. */
export function parseImageReference(reference: string): string {
  const bad = (why: string): HostError =>
    new HostError('INVALID_ARGUMENT', `image reference ${JSON.stringify(reference)} is invalid: ${why}`);
  const colon = reference.lastIndexOf(':');
  if (colon === -1 || reference.indexOf('/', colon) !== -1) throw bad('a tag is required (name:tag)');
  const path = reference.slice(0, colon);
  const tag = reference.slice(colon + 1);
  if (!TAG.test(tag))
    throw bad(`tag ${JSON.stringify(tag)} must be 1-128 of [A-Za-z0-9_.-], not starting with . or -`);
  const parts = path.split('/');
  const first = parts[0] ?? '';
  const hasRegistry =
    parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry && !REGISTRY.test(first))
    throw bad(`registry ${JSON.stringify(first)} is not a host[:port]`);
  const name = hasRegistry ? parts.slice(1).join('/') : path;
  if (!NAME.test(name)) throw bad(`name ${JSON.stringify(name)} must be lowercase path components`);
  return reference;
}

/**
 * What `msb image inspect` shows of one reference.
 *
 * @example
 * ```ts
 * const { digest, layers, pinnedBy }: ImageInspection = inspectImage(pools.read, 'alpine:3.20');
 * ```
 */
export interface ImageInspection {
  readonly reference: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly configDigest: string;
  readonly architecture: string | null;
  readonly os: string | null;
  readonly totalSizeBytes: number;
  /** When the reference was created or last re-pointed. */
  readonly createdAt: string;
  readonly config: {
    readonly env: readonly string[];
    readonly cmd: readonly string[] | null;
    readonly entrypoint: readonly string[] | null;
    readonly workingDir: string | null;
    readonly user: string | null;
    readonly labels: Readonly<Record<string, string>>;
    readonly stopSignal: string | null;
  };
  readonly layers: readonly {
    readonly diffId: string;
    readonly blobDigest: string;
    readonly mediaType: string;
    readonly compressedSizeBytes: number;
  }[];
  /** Every reference naming the same manifest, this one included. */
  readonly references: readonly string[];
  /** Sandboxes pinned to the manifest: it cannot be removed while they exist. */
  readonly pinnedBy: readonly string[];
}

/**
 * One reference's manifest, config, layers, other references and pinning sandboxes, in one snapshot;
 * an unknown reference is `HostError` `IMAGE_NOT_FOUND`.
 *
 * @example
 * ```ts
 * const image = inspectImage(pools.read, 'alpine:3.20');
 * console.log(image.config.entrypoint, image.layers.length);
 * ```
 */
export function inspectImage(read: DbReadConnection, reference: string): ImageInspection {
  parseImageReference(reference);
  return read.snapshot((conn) => {
    const row = selectImageDetails(conn, { reference });
    if (row === undefined) throw new HostError('IMAGE_NOT_FOUND', `image "${reference}" does not exist`);
    return {
      reference: row.reference,
      digest: row.digest,
      mediaType: row.mediaType,
      configDigest: row.configDigest,
      architecture: row.architecture,
      os: row.os,
      totalSizeBytes: row.totalSizeBytes,
      createdAt: row.createdAt,
      config: {
        env: parseArray(row.env),
        cmd: row.cmd === null ? null : parseArray(row.cmd),
        entrypoint: row.entrypoint === null ? null : parseArray(row.entrypoint),
        workingDir: row.workingDir,
        user: row.user,
        labels: parseLabels(row.labels),
        stopSignal: row.stopSignal,
      },
      layers: listManifestLayers(conn, { manifestId: row.manifestId }).map((layer) => ({
        diffId: layer.diffId,
        blobDigest: layer.blobDigest,
        mediaType: layer.mediaType,
        compressedSizeBytes: layer.compressedSizeBytes,
      })),
      references: listImageRefs(conn)
        .filter((ref) => ref.digest === row.digest)
        .map((ref) => ref.reference),
      pinnedBy: listSandboxesPinningManifest(conn, { manifestId: row.manifestId }).map((r) => r.name),
    };
  });
}

function parseLabels(json: string | null): Record<string, string> {
  // Written by importOciImage from a checked object of strings.
  if (json === null) return {};
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`config row holds labels ${json}, not a JSON object`);
  }
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}
