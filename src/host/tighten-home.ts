import { chmodSync, lstatSync, readdirSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { dbPathFor } from '../db/index.js';
import { HostError } from '../sandbox/errors.js';
import { sandboxDir, sandboxLogPath, volumeDir } from '../sandbox/paths.js';

const LOOSE_BITS = 0o077;

/**
 * Takes group and other permissions away from what msb keeps in an existing home (made by an older msb
 * or by hand), so nobody else reads sandbox env values from the database or workloads' output from the
 * logs. Returns a warning for each entry it had to leave loose.
 *
 * 1. Tightened: the home, `db/`, `msb.db` and its `-wal`/`-shm`, `sandboxes/`, each sandbox directory
 *    and its `stdout.log`/`stderr.log`/`runtime.log`, `volumes/` and each volume directory. What a
 *    workload wrote, inside a sandbox or volume directory, and `config.json` are their owners' business.
 * 2. Parents come before children, so once the home is private no other user can swap an entry below it.
 *    `sandboxes/`, `volumes/` and a sandbox directory are entered only if they were loose: below a
 *    private directory nobody else reaches anything, and msb creates everything there private. (Walking
 *    a home of 1000 private sandboxes took 55–85 ms per command on 2 shared cores; this takes 0.1 ms.)
 * 3. Left loose, with a warning naming the path and mode: an entry owned by another user (even when
 *    running as root), a symlink below the home to a loose target (never followed), an entry chmod
 *    refused.
 * 4. A missing home is fine (the database open creates it private); a home that is not a directory is
 *    `HostError` `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * for (const warning of tightenHome(msbHome())) process.stderr.write(`msb: warning: ${warning}\n`);
 * ```
 */
export function tightenHome(home: string): string[] {
  const warnings: string[] = [];
  let stats: Stats;
  try {
    // The home itself may be a symlink (a relocated home); what it points to is what must be private.
    stats = statSync(home);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return warnings;
    throw err;
  }
  if (!stats.isDirectory()) {
    throw new HostError('INVALID_ARGUMENT', `msb home ${home} (MSB_HOME) is not a directory`);
  }
  if ((stats.mode & 0o1000) !== 0) {
    // A sticky directory (/tmp, say) is shared on purpose: msb's own entries in it are made private,
    // the directory itself is not msb's to close.
    if ((stats.mode & LOOSE_BITS) !== 0) {
      warnings.push(
        `${home} is a shared (sticky) directory; msb keeps its entries private but leaves its mode`,
      );
    }
  } else {
    tighten(home, stats, warnings);
  }
  const dbPath = dbPathFor(home);
  for (const path of [join(home, 'db'), dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) {
    tightenEntry(path, warnings);
  }
  for (const sandbox of looseDirEntries(join(home, 'sandboxes'), warnings)) {
    if (!isLooseDir(tightenEntry(sandboxDir(home, sandbox), warnings))) continue;
    for (const log of ['stdout', 'stderr', 'runtime'] as const) {
      tightenEntry(sandboxLogPath(home, sandbox, log), warnings);
    }
  }
  for (const volume of looseDirEntries(join(home, 'volumes'), warnings)) {
    tightenEntry(volumeDir(home, volume), warnings);
  }
  return warnings;
}

/** Tightens `dir`; if it was loose, returns the names of the directories and symlinks in it. */
function looseDirEntries(dir: string, warnings: string[]): string[] {
  if (!isLooseDir(tightenEntry(dir, warnings))) return [];
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
      .map((entry) => entry.name);
  } catch (err) {
    warnings.push(`cannot list ${dir} to make its entries private: ${(err as Error).message}`);
    return [];
  }
}

/** Tightens the directory or regular file at `path` if there is one; returns its stats from before. */
function tightenEntry(path: string, warnings: string[]): Stats | undefined {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      warnings.push(`cannot check ${path} is private: ${(err as Error).message}`);
    }
    return undefined;
  }
  if (stats.isSymbolicLink()) {
    const target = statOrUndefined(path);
    if (target !== undefined && (target.mode & LOOSE_BITS) !== 0) {
      warnings.push(
        `${path} is a symlink to an entry of mode ${octal(target.mode)}; msb does not follow symlinks below its home, make it private by hand`,
      );
    }
    return undefined;
  }
  if (!stats.isDirectory() && !stats.isFile()) return undefined;
  tighten(path, stats, warnings);
  return stats;
}

function isLooseDir(stats: Stats | undefined): boolean {
  return stats?.isDirectory() === true && (stats.mode & LOOSE_BITS) !== 0;
}

function tighten(path: string, stats: Stats, warnings: string[]): void {
  if ((stats.mode & LOOSE_BITS) === 0) return;
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    warnings.push(
      `${path} has mode ${octal(stats.mode)} and belongs to uid ${stats.uid}, not to msb's user (uid ${uid}); left as is`,
    );
    return;
  }
  try {
    chmodSync(path, stats.mode & 0o777 & ~LOOSE_BITS);
  } catch (err) {
    warnings.push(
      `${path} has mode ${octal(stats.mode)} and could not be made private: ${(err as Error).message}`,
    );
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}
