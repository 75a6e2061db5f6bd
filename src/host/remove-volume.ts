import { rmSync } from 'node:fs';
import type { DbPools } from '../db/index.js';
import { deleteVolume, selectVolumeByName } from '../generated/index.js';
import { HostError } from './host-error.js';
import { volumeDir } from './volume-dir.js';

/**
 * Removes a volume's row and its directory; a missing volume is `HostError` `VOLUME_NOT_FOUND`.
 *
 * @example
 * ```ts
 * await removeVolume(pools, { home, name: 'cache' });
 * ```
 */
export async function removeVolume(
  pools: DbPools,
  target: { readonly home: string; readonly name: string },
): Promise<void> {
  const row = selectVolumeByName(pools.read, { name: target.name });
  if (row === undefined || (await deleteVolume(pools.write, { id: row.id })) === 0) {
    throw new HostError('VOLUME_NOT_FOUND', `volume "${target.name}" does not exist`);
  }
  rmSync(volumeDir(target.home, row.name), { recursive: true, force: true });
}
