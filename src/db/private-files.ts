import { chmodSync, closeSync, constants, existsSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/*
 * Everything msb creates under its home is its user's alone: the database holds sandbox env values
 * (secrets) and the logs hold workloads' output. Modes are set at creation, and set again with chmod
 * because the umask masks them (a umask of 0o277 would leave a directory msb cannot enter). msb does
 * not change its process umask instead: the workload inherits the runtime's, and its files are its
 * user's business. `test/host/private-creations.test.ts` keeps every other creation call out of src/.
 */

/** Mode of every directory msb creates under its home. */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of every file msb creates under its home. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates directory `path` and its missing parents, each 0700 whatever the umask; directories already
 * there keep their mode. With `exclusive`, `path` itself must not exist yet (`EEXIST` otherwise), so a
 * caller that removes it on a later failure removes only what it made.
 *
 * @example
 * ```ts
 * makePrivateDir(volumeDir(home, 'cache'), { exclusive: true });
 * ```
 */
export function makePrivateDir(path: string, options: { readonly exclusive?: boolean } = {}): void {
  if (options.exclusive === true) {
    makePrivateDir(dirname(path));
    mkdirSync(path, { mode: PRIVATE_DIR_MODE });
    chmodSync(path, PRIVATE_DIR_MODE);
    return;
  }
  // One level at a time, each made private before the next is made inside it: under a umask such as
  // 0277 a new directory comes out 0500, and creating its child would fail with EACCES.
  if (existsSync(path)) {
    // A no-op for a directory; for anything else the EEXIST that names the path.
    mkdirSync(path, { recursive: true });
    return;
  }
  const parent = dirname(path);
  if (parent !== path) makePrivateDir(parent);
  try {
    mkdirSync(path, { mode: PRIVATE_DIR_MODE });
  } catch (err) {
    // Made meanwhile by a concurrent command: it made it private too.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  chmodSync(path, PRIVATE_DIR_MODE);
}

/**
 * {@link makePrivateDir} (without `exclusive`) off the event loop: for the host, whose thread must not
 * wait on a filesystem that a storm of runtimes keeps busy (a `mkdirSync` there once took 276 ms).
 * Concurrent calls in one process share each directory's creation, so none goes on inside a directory
 * another has made but not yet made private (under a umask such as 0277 it is 0500 until then).
 *
 * @example
 * ```ts
 * await makePrivateDirAsync(sandboxDir(home, 'web'));
 * ```
 */
export function makePrivateDirAsync(path: string): Promise<void> {
  let making = inFlight.get(path);
  if (making === undefined) {
    making = makeOneLevel(path).finally(() => inFlight.delete(path));
    inFlight.set(path, making);
  }
  return making;
}

/**
 * Whether something is at `path` (following a symlink), asked off the event loop.
 *
 * @example
 * ```ts
 * if (await pathExists(dir)) throw new Error(`${dir} is in the way`);
 * ```
 */
export function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The directories {@link makePrivateDirAsync} is making, by path. */
const inFlight = new Map<string, Promise<void>>();

async function makeOneLevel(path: string): Promise<void> {
  if (await pathExists(path)) {
    // A no-op for a directory; for anything else the EEXIST that names the path.
    await mkdir(path, { recursive: true });
    return;
  }
  const parent = dirname(path);
  if (parent !== path) await makePrivateDirAsync(parent);
  try {
    await mkdir(path, { mode: PRIVATE_DIR_MODE });
  } catch (err) {
    // Made meanwhile by another process: it made it private too.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  await chmod(path, PRIVATE_DIR_MODE);
}

/**
 * Opens `path` for appending, creating it 0600 whatever the umask; an existing file keeps its mode.
 * Returns the descriptor, which the caller closes.
 *
 * @example
 * ```ts
 * const fd = openPrivateAppend(sandboxLogPath(home, 'web', 'stdout'));
 * ```
 */
export function openPrivateAppend(path: string): number {
  return createExclusive(path, constants.O_APPEND) ?? openSync(path, 'a');
}

/**
 * Creates `path` as an empty 0600 file whatever the umask, unless it exists. An existing file is never
 * opened: closing a descriptor of a database would drop this process's SQLite locks on it.
 *
 * @example
 * ```ts
 * createPrivateFile(dbPath); // then new Database(dbPath)
 * ```
 */
export function createPrivateFile(path: string): void {
  const fd = createExclusive(path, 0);
  if (fd !== undefined) closeSync(fd);
}

/** A descriptor of the new 0600 file `path` opened for writing, or `undefined` if `path` exists. */
function createExclusive(path: string, flags: number): number | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | flags, PRIVATE_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  }
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
