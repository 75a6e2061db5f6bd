import { mkdirSync, rmSync } from 'node:fs';
import type { DbPools } from '../db/index.js';
import { insertVolume, selectVolumeByName } from '../generated/index.js';
import { assertValidName } from './assert-valid-name.js';
import { HostError } from './host-error.js';
import { volumeDir } from './volume-dir.js';
import { toVolumeRecord, type VolumeRecord } from './volume-record.js';

/**
 * Options of {@link createVolume}.
 *
 * @example
 * ```ts
 * const spec: VolumeSpec = { home, name: 'cache', quotaMib: 512, labels: { team: 'web' } };
 * ```
 */
export interface VolumeSpec {
  readonly home: string;
  readonly name: string;
  /** A positive whole number of MiB, or absent for no quota. */
  readonly quotaMib?: number;
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Creates a named volume: its row and its directory `<home>/volumes/<name>`.
 *
 * 1. A bad name or quota is `HostError` `INVALID_ARGUMENT`; a taken name is `VOLUME_EXISTS`.
 * 2. The directory is created first and removed again if the insert fails, so no row points at a
 *    missing directory.
 *
 * @example
 * ```ts
 * const volume = await createVolume(pools, { home, name: 'cache', quotaMib: 512 });
 * ```
 */
export async function createVolume(pools: DbPools, spec: VolumeSpec): Promise<VolumeRecord> {
  assertValidName('volume', spec.name);
  if (spec.quotaMib !== undefined && !(Number.isSafeInteger(spec.quotaMib) && spec.quotaMib > 0)) {
    throw new HostError(
      'INVALID_ARGUMENT',
      `volume "${spec.name}": quota must be a positive whole number of MiB, got ${spec.quotaMib}`,
    );
  }
  if (selectVolumeByName(pools.read, { name: spec.name }) !== undefined) {
    throw new HostError('VOLUME_EXISTS', `volume "${spec.name}" already exists`);
  }
  const dir = volumeDir(spec.home, spec.name);
  mkdirSync(dir, { recursive: true });
  try {
    const row = await insertVolume(pools.write, {
      name: spec.name,
      quotaMib: spec.quotaMib ?? null,
      labels: JSON.stringify(spec.labels ?? {}),
    });
    if (row === undefined) throw new Error(`INSERT … RETURNING gave no row for volume "${spec.name}"`);
    return toVolumeRecord(row);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
