import type { DbWriteConnection } from '../../db/index.js';
import {
  countManifestUsers,
  deleteImageRef,
  listSandboxesPinningManifest,
  selectImageRef,
} from '../../generated/index.js';
import { HostError } from '../host-error.js';
import { dropManifestIfUnused } from './drop-manifest-if-unused.js';

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
 * Removes an image reference (`msb image rm <ref>`), in one transaction.
 *
 * 1. An unknown reference is `HostError` `IMAGE_NOT_FOUND`.
 * 2. If it is the manifest's last reference and a sandbox pins the manifest, nothing is removed:
 *    `IMAGE_IN_USE` naming the sandboxes.
 * 3. Otherwise the reference goes, and with its last reference the manifest, its config and every layer
 *    no other manifest uses.
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
