import { mkdirSync, rmdirSync } from 'node:fs';
import { dirname } from 'node:path';
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
 * 1. A bad name or quota is `HostError` `INVALID_ARGUMENT`; a taken name is `VOLUME_EXISTS`, also when
 *    a concurrent create wins the race.
 * 2. The directory is created before the row, so no row points at a missing directory. A directory
 *    that is already there (another create in flight, or a leftover with no row) is `VOLUME_EXISTS`:
 *    it is never adopted nor deleted, since it is not this call's to give away.
 * 3. If the insert fails, the directory this call created is removed again (only if still empty)
 *    and the error passes through (a `SqliteError` unwrapped).
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
  mkdirSync(dirname(dir), { recursive: true });
  try {
    // Not recursive: the leaf must be ours, so the failure path below can only remove what it made.
    mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    throw new HostError(
      'VOLUME_EXISTS',
      `volume "${spec.name}" already exists or is being created: directory ${dir} is there; remove it if no volume "${spec.name}" is listed`,
      { cause: err },
    );
  }
  try {
    const row = await insertVolume(pools.write, {
      name: spec.name,
      quotaMib: spec.quotaMib ?? null,
      labels: JSON.stringify(spec.labels ?? {}),
    });
    if (row === undefined) throw new Error(`INSERT … RETURNING gave no row for volume "${spec.name}"`);
    return toVolumeRecord(row);
  } catch (err) {
    removeIfEmpty(dir);
    if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new HostError('VOLUME_EXISTS', `volume "${spec.name}" already exists`, { cause: err });
    }
    throw err;
  }
}

function removeIfEmpty(dir: string): void {
  try {
    // rmdir, not rm -r: anything written into the directory meanwhile is someone's data.
    rmdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
}
