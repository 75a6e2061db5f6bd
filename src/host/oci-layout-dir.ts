import { constants, type Stats } from 'node:fs';
import { type FileHandle, lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { HostError } from '../sandbox/errors.js';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;

/** A regular file of a layout, open: the caller reads `handle` and closes it. */
export interface OciLayoutFile {
  /** The file's path under the layout directory as the user gave it, for messages. */
  readonly path: string;
  readonly handle: FileHandle;
  /** Its size when opened (fstat); a reader still stops one byte past what it expects. */
  readonly size: number;
}

/**
 * An OCI image layout directory open for reading, whose files cannot lead out of it.
 *
 * 1. The directory itself is opened through the user's path, symbolic links included: that path is theirs.
 * 2. Below it, every component is opened relative to its parent's open descriptor (`/proc/self/fd/N/name`,
 *    which is `openat` for Node) with `O_NOFOLLOW`: a symbolic link anywhere inside is refused, and what
 *    is checked is what was opened (no check-then-open race).
 * 3. Files are opened with `O_NONBLOCK`, so a FIFO cannot block the open, and must be regular files by
 *    `fstat` of the open descriptor: FIFOs, devices, sockets and directories are refused unread.
 *
 * Every refusal is `HostError` `IMAGE_INVALID`, its message starting with the file at fault. Linux only,
 * like the rest of the host (it needs `/proc`).
 *
 * @example
 * ```ts
 * const layout = await OciLayoutDir.open('/tmp/alpine-oci');
 * try {
 *   const index = await layout.openFile(['index.json']);
 *   // ... read index.handle, then close it
 * } finally {
 *   await layout.close();
 * }
 * ```
 */
export class OciLayoutDir {
  readonly path: string;
  readonly #root: FileHandle;
  /** Directories below the root (`blobs`, `blobs/sha256`) opened once, by their relative path. */
  readonly #dirs = new Map<string, FileHandle>();

  private constructor(path: string, root: FileHandle) {
    this.path = path;
    this.#root = root;
  }

  /** Opens the layout directory at `path` (symbolic links followed: the path is the user's). */
  static async open(path: string): Promise<OciLayoutDir> {
    try {
      return new OciLayoutDir(path, await open(path, O_RDONLY | O_DIRECTORY));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw layoutInvalid(path, 'does not exist', err);
      if (code === 'ENOTDIR')
        throw layoutInvalid(path, 'is not a directory (an OCI image layout is one)', err);
      throw layoutInvalid(path, `cannot be opened: ${reason(err)}`, err);
    }
  }

  /**
   * Opens the regular file at `names` below the layout; `missing` is the problem stated when it (or a
   * directory on its way) does not exist. The caller closes the handle.
   */
  async openFile(names: readonly string[], missing = 'does not exist'): Promise<OciLayoutFile> {
    const path = join(this.path, ...names);
    let parent = this.#root;
    for (let i = 1; i < names.length; i++) {
      parent = await this.#openDir(parent, names.slice(0, i), path, missing);
    }
    const name = names[names.length - 1]!;
    let handle: FileHandle;
    try {
      handle = await open(below(parent, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (err) {
      throw await refusal(parent, name, path, err, missing);
    }
    let info: Stats;
    try {
      info = await handle.stat();
    } catch (err) {
      await handle.close();
      throw layoutInvalid(path, `cannot be read: ${reason(err)}`, err);
    }
    if (!info.isFile()) {
      await handle.close();
      throw layoutInvalid(path, `is ${kindOf(info)}, not a regular file`);
    }
    return { path, handle, size: info.size };
  }

  /** Closes the layout directory and the directories opened below it. */
  async close(): Promise<void> {
    const handles = [...this.#dirs.values(), this.#root];
    this.#dirs.clear();
    await Promise.all(handles.map((h) => h.close()));
  }

  /** Opens (once) the directory `names` inside `parent`, for reaching `file`. */
  async #openDir(
    parent: FileHandle,
    names: readonly string[],
    file: string,
    missing: string,
  ): Promise<FileHandle> {
    const key = names.join('/');
    const opened = this.#dirs.get(key);
    if (opened !== undefined) return opened;
    const name = names[names.length - 1]!;
    const path = join(this.path, ...names);
    let handle: FileHandle;
    try {
      handle = await open(below(parent, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (err) {
      // A missing directory on the way means the file is missing: that is the one to name.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw layoutInvalid(file, missing, err);
      throw await refusal(parent, name, path, err, missing);
    }
    this.#dirs.set(key, handle);
    return handle;
  }
}

/**
 * The `IMAGE_INVALID` error for a layout file: the message starts with the file at fault.
 *
 * @example
 * ```ts
 * throw layoutInvalid(indexFile, 'lists no image manifest');
 * ```
 */
export function layoutInvalid(file: string, problem: string, cause?: unknown): HostError {
  return new HostError('IMAGE_INVALID', `${file}: ${problem}`, cause === undefined ? undefined : { cause });
}

/** The path of `name` inside the directory open as `dir`, resolved from that descriptor, not a path. */
function below(dir: FileHandle, name: string): string {
  return `/proc/self/fd/${dir.fd}/${name}`;
}

/** Why opening `name` in `dir` failed, told by what is there (lstat, for the message only). */
async function refusal(
  dir: FileHandle,
  name: string,
  path: string,
  err: unknown,
  missing: string,
): Promise<HostError> {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return layoutInvalid(path, missing, err);
  if (code === 'EACCES') return layoutInvalid(path, 'cannot be read: permission denied', err);
  const info = await lstat(below(dir, name)).catch(() => undefined);
  if (info?.isSymbolicLink()) {
    return layoutInvalid(path, 'is a symbolic link; nothing inside a layout may lead out of it', err);
  }
  if (code === 'ENOTDIR' && info !== undefined) {
    return layoutInvalid(path, `is ${kindOf(info)}, not a directory`, err);
  }
  if (info !== undefined && !info.isFile()) {
    return layoutInvalid(path, `is ${kindOf(info)}, not a regular file`, err);
  }
  return layoutInvalid(path, `cannot be opened: ${reason(err)}`, err);
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return info.isFile() ? 'a regular file' : 'neither a file nor a directory';
}

/** An error's code and description, without the `/proc/self/fd` path the message would carry. */
function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code === undefined ? e.message : `${e.code} (${e.syscall ?? 'open'})`;
}
