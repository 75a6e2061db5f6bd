import { DbWriteConnection, type DbWriteTransaction } from '../../db/index.js';
import { upsertOciManifestPin } from '../../generated/index.js';

/**
 * A sandbox's image pin as stored in `sandbox_rootfs`.
 *
 * @example
 * ```ts
 * const pin: OciManifestPin = { id: 1, sandboxId: 7, manifestId: 3, mode: 'Oci', createdAt: '2026-11-27T10:00:00.000Z' };
 * ```
 */
export interface OciManifestPin {
  readonly id: number;
  readonly sandboxId: number;
  /** Null when the digest was not (or is no longer) a stored manifest. */
  readonly manifestId: number | null;
  readonly mode: 'Oci' | 'Host';
  readonly createdAt: string;
}

/**
 * Pins a sandbox to the manifest with `digest` (an upsert: pinning again replaces the pin, so a sandbox
 * never has more than one `sandbox_rootfs` row). An unknown digest is not an error: the pin is stored
 * with `manifest_id` null, and the digest stays in the sandbox's config JSON.
 *
 * With a `DbWriteConnection` the pin is its own retried transaction (a promise); with a transaction
 * handle it joins the caller's transaction (synchronous), e.g. the one that inserts the sandbox.
 *
 * @example
 * ```ts
 * await persistOciManifestPin(pools.write, { sandboxId, digest: image.digest });
 * await pools.write.transaction((tx) => persistOciManifestPin(tx, { sandboxId, digest }));
 * ```
 */
export function persistOciManifestPin(
  conn: DbWriteTransaction,
  params: { readonly sandboxId: number; readonly digest: string },
): OciManifestPin;
export function persistOciManifestPin(
  conn: DbWriteConnection,
  params: { readonly sandboxId: number; readonly digest: string },
): Promise<OciManifestPin>;
export function persistOciManifestPin(
  conn: DbWriteConnection | DbWriteTransaction,
  params: { readonly sandboxId: number; readonly digest: string },
): OciManifestPin | Promise<OciManifestPin> {
  const pin = (tx: DbWriteTransaction): OciManifestPin => {
    const row = upsertOciManifestPin(tx, { sandboxId: params.sandboxId, digest: params.digest });
    // RETURNING of an upsert always yields the row it inserted or updated.
    if (row === undefined)
      throw new Error(`sandbox_rootfs upsert for sandbox ${params.sandboxId} returned no row`);
    return {
      id: row.id,
      sandboxId: row.sandboxId,
      manifestId: row.manifestId,
      mode: row.mode,
      createdAt: row.createdAt,
    };
  };
  return conn instanceof DbWriteConnection ? conn.transaction(pin) : pin(conn);
}
