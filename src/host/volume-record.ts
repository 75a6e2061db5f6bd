import type { SelectVolumesRow } from '../generated/index.js';

/**
 * A `volume` row with its labels parsed.
 *
 * @example
 * ```ts
 * const volume: VolumeRecord = await createVolume(pools, { home, name: 'cache' });
 * volume.labels; // {}
 * ```
 */
export interface VolumeRecord {
  readonly id: number;
  readonly name: string;
  readonly quotaMib: number | null;
  readonly sizeBytes: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Builds a {@link VolumeRecord} from any generated row of the `volume` table.
 *
 * @example
 * ```ts
 * const volumes = selectVolumes(pools.read).map(toVolumeRecord);
 * ```
 */
export function toVolumeRecord(row: SelectVolumesRow): VolumeRecord {
  return {
    id: row.id,
    name: row.name,
    quotaMib: row.quotaMib,
    sizeBytes: row.sizeBytes,
    labels: JSON.parse(row.labels) as Record<string, string>,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
