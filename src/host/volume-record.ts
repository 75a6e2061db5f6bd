import type { SelectVolumesRow } from '../generated/index.js';
import { HostError } from './host-error.js';

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
    labels: parseLabels(row.labels, row.name),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function parseLabels(json: string, name: string): Record<string, string> {
  // The schema only guarantees valid JSON; createVolume writes an object of strings.
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HostError('VOLUME_LABELS_INVALID', `volume "${name}": labels ${json} are not a JSON object`);
  }
  const labels: Record<string, string> = {};
  for (const [key, label] of Object.entries(value)) {
    if (typeof label !== 'string') {
      throw new HostError('VOLUME_LABELS_INVALID', `volume "${name}": label "${key}" is not a string`);
    }
    labels[key] = label;
  }
  return labels;
}
