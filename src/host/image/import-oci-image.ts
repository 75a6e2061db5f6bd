import type { DbWriteConnection, DbWriteTransaction } from '../../db/index.js';
import {
  insertImageConfig,
  insertManifest,
  insertManifestLayer,
  selectImageRef,
  selectManifestByDigest,
  upsertImageRef,
  upsertLayer,
} from '../../generated/index.js';
import { dropManifestIfUnused } from './drop-manifest-if-unused.js';
import { parseImageReference } from './parse-image-reference.js';
import { type OciImage, readOciLayout } from './read-oci-layout.js';

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
 * Imports an OCI image layout directory under a reference (`msb image import <dir> --ref <name:tag>`).
 *
 * 1. The reference is checked (`INVALID_ARGUMENT`) and the layout read and verified by
 *    `readOciLayout` (`IMAGE_INVALID` naming the file at fault) before anything is written.
 * 2. Manifest, config, layers (shared by `diff_id`), their order and the reference are written in ONE
 *    transaction: a failure leaves nothing behind.
 * 3. A digest already stored is not written again: only the reference is added.
 * 4. A reference that named another manifest is re-pointed; that manifest is deleted if nothing else
 *    names or pins it.
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
      insertManifestLayer(tx, { manifestId, layerId: row!.id, position });
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
