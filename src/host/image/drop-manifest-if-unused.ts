import type { DbWriteTransaction } from '../../db/index.js';
import { countManifestUsers, deleteManifest, deleteUnusedLayers } from '../../generated/index.js';

/**
 * Inside a transaction: deletes a manifest that no reference names and no sandbox pins (its config and
 * layer links cascade), then every layer no manifest uses. Returns whether the manifest was deleted.
 *
 * @example
 * ```ts
 * await write.transaction((tx) => dropManifestIfUnused(tx, manifestId));
 * ```
 */
export function dropManifestIfUnused(tx: DbWriteTransaction, manifestId: number): boolean {
  const users = countManifestUsers(tx, { manifestId });
  if (users === undefined || users.refs > 0 || users.pins > 0) return false;
  deleteManifest(tx, { id: manifestId });
  deleteUnusedLayers(tx);
  return true;
}
