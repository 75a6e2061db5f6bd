import { type Dirent, existsSync, lstatSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type DbPools, type DbReadConnection, makePrivateDir } from '../db/index.js';
import {
  deleteVolume,
  insertVolume,
  type SelectVolumesRow,
  selectVolumeByName,
  selectVolumes,
} from '../generated/index.js';
import { HostError } from '../sandbox/errors.js';
import { volumeDir } from '../sandbox/paths.js';
import { assertValidName } from './records.js';

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
 * Creates a named volume: its directory `<home>/volumes/<name>`, then its row, so no row points at a
 * missing directory. A bad name or quota is `HostError` `INVALID_ARGUMENT`; a taken name, or a directory
 * already there (a create in flight, or a leftover never adopted nor deleted), is `VOLUME_EXISTS`. If the
 * insert fails, the directory this call made is removed again if still empty.
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
  try {
    // Exclusive: the leaf must be ours, so the failure path below can only remove what it made.
    makePrivateDir(dir, { exclusive: true });
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

/** A {@link VolumeRecord} from any generated row of the `volume` table. */
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

/**
 * What `msb volume inspect` shows: the record, its directory and what the directory holds now.
 *
 * @example
 * ```ts
 * const { path, usedBytes }: VolumeInspection = inspectVolume(pools.read, { home, name: 'cache' });
 * ```
 */
export interface VolumeInspection {
  readonly volume: VolumeRecord;
  readonly path: string;
  /** False when the directory is missing (removed behind msb's back). */
  readonly pathExists: boolean;
  /** Bytes of the regular files under the directory, symlinks not followed. */
  readonly usedBytes: number;
  readonly files: number;
}

/**
 * A volume's record and its directory's current use; a missing volume is `HostError` `VOLUME_NOT_FOUND`.
 *
 * @example
 * ```ts
 * const { volume, usedBytes } = inspectVolume(pools.read, { home, name: 'cache' });
 * ```
 */
export function inspectVolume(
  read: DbReadConnection,
  target: { readonly home: string; readonly name: string },
): VolumeInspection {
  const row = selectVolumeByName(read, { name: target.name });
  if (row === undefined) throw new HostError('VOLUME_NOT_FOUND', `volume "${target.name}" does not exist`);
  const path = volumeDir(target.home, row.name);
  const usage = { bytes: 0, files: 0 };
  const pathExists = existsSync(path);
  if (pathExists) addUsage(path, usage);
  return { volume: toVolumeRecord(row), path, pathExists, usedBytes: usage.bytes, files: usage.files };
}

function addUsage(dir: string, usage: { bytes: number; files: number }): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    // A directory removed or made unreadable while we walk counts as empty.
    if (['ENOENT', 'EACCES', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return;
    throw err;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) addUsage(path, usage);
    else if (entry.isFile()) {
      usage.files++;
      usage.bytes += lstatSync(path, { throwIfNoEntry: false })?.size ?? 0;
    }
  }
}
