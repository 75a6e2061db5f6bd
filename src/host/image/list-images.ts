import type { DbReadConnection } from '../../db/index.js';
import { listImageRefs } from '../../generated/index.js';

/**
 * One image reference as `msb image ls` shows it.
 *
 * @example
 * ```ts
 * const image: ImageSummary = {
 *   reference: 'alpine:3.20', digest: 'sha256:…', architecture: 'amd64', os: 'linux', layerCount: 1,
 *   totalSizeBytes: 3_600_000, createdAt: '2026-11-27T10:00:00.000Z',
 * };
 * ```
 */
export interface ImageSummary {
  readonly reference: string;
  readonly digest: string;
  readonly architecture: string | null;
  readonly os: string | null;
  readonly layerCount: number;
  readonly totalSizeBytes: number;
  /** When the reference was created or last re-pointed. */
  readonly createdAt: string;
}

/**
 * Every image reference with its manifest, sorted by reference.
 *
 * @example
 * ```ts
 * for (const image of listImages(pools.read)) console.log(image.reference, image.digest);
 * ```
 */
export function listImages(read: DbReadConnection): ImageSummary[] {
  return listImageRefs(read).map((row) => ({
    reference: row.reference,
    digest: row.digest,
    architecture: row.architecture,
    os: row.os,
    layerCount: row.layerCount,
    totalSizeBytes: row.totalSizeBytes,
    createdAt: row.createdAt,
  }));
}
