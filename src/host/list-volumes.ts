import type { DbReadConnection } from '../db/index.js';
import { selectVolumes } from '../generated/index.js';
import { toVolumeRecord, type VolumeRecord } from './volume-record.js';

/**
 * Every volume, by name.
 *
 * @example
 * ```ts
 * for (const v of listVolumes(pools.read)) console.log(v.name, v.quotaMib);
 * ```
 */
export function listVolumes(read: DbReadConnection): VolumeRecord[] {
  return selectVolumes(read).map(toVolumeRecord);
}
