import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * A content-addressed store on disk: a value is found by the SHA-256 of everything it was computed
 * from, so an entry can never be stale, only missing. The generator keeps what a run can skip here
 * (module texts TypeScript accepted, analysed query files), in
 * `node_modules/.cache/msb-codegen/<name>/`.
 *
 * 1. A key is `salt` (what every entry of the store depends on) and the entry's own parts; a part is
 *    length-prefixed, so no two different lists of parts make the same key.
 * 2. Writes go through a temporary file and a rename, so a concurrent run reads a whole entry or none.
 * 3. Past {@link ContentCache.LIMIT} entries, the older half is removed (once per run, on the first write).
 * 4. A store that cannot be read or written only makes the run slower: `get` misses, `set` does nothing.
 *
 * @example
 * ```ts
 * const cache = ContentCache.open('analysis', salt);
 * const hit = cache.get([file, text]) ?? compute();
 * ```
 */
export class ContentCache {
  /** Entries kept before the older half is removed. */
  static readonly LIMIT = 4096;

  readonly #dir: string | undefined;
  readonly #salt: string;
  #pruned = false;

  /** A store in `dir` (`undefined`: stores nothing) whose every key includes `salt`. */
  constructor(dir: string | undefined, salt: string) {
    this.#dir = dir;
    this.#salt = salt;
  }

  /**
   * The store `name` under `root`: by default the project's, in the `node_modules/.cache/msb-codegen`
   * the generator's dependencies are in.
   */
  static open(name: string, salt: string, root: string | undefined = cacheRoot()): ContentCache {
    return new ContentCache(root === undefined ? undefined : join(root, name), salt);
  }

  /** The value stored under `parts`, or `undefined`. */
  get(parts: readonly string[]): Buffer | undefined {
    if (this.#dir === undefined) return undefined;
    try {
      return readFileSync(join(this.#dir, this.#key(parts)));
    } catch {
      return undefined;
    }
  }

  /** Stores `value` under `parts`. */
  set(parts: readonly string[], value: Uint8Array): void {
    if (this.#dir === undefined) return;
    try {
      mkdirSync(this.#dir, { recursive: true });
      this.#prune(this.#dir);
      const file = join(this.#dir, this.#key(parts));
      const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
      writeFileSync(tmp, value);
      renameSync(tmp, file);
    } catch {
      // Read-only or full disk: the next run computes it again.
    }
  }

  #key(parts: readonly string[]): string {
    const hash = createHash('sha256');
    for (const part of [this.#salt, ...parts]) hash.update(`${part.length}:`).update(part);
    return hash.digest('hex');
  }

  #prune(dir: string): void {
    if (this.#pruned) return;
    this.#pruned = true;
    const entries = readdirSync(dir);
    if (entries.length < ContentCache.LIMIT) return;
    const aged = entries
      .map((name) => ({ name, at: statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
      .sort((a, b) => a.at - b.at);
    for (const entry of aged.slice(0, Math.ceil(aged.length / 2)))
      rmSync(join(dir, entry.name), { force: true });
  }
}

/**
 * What a package's files are, without loading it: for each of `files` (resolved from this module), its
 * path, size, modification time and inode; a reinstalled or upgraded package is another identity.
 *
 * @example
 * ```ts
 * const salt = fileIdentity(['typescript']);
 * ```
 */
export function fileIdentity(files: readonly string[]): string {
  return files
    .map((f) => {
      const path = require.resolve(f);
      const stat = statSync(path);
      return [path, stat.size, stat.mtimeMs, stat.ino].join('\0');
    })
    .join('\n');
}

function cacheRoot(): string | undefined {
  const typescript = require.resolve('typescript');
  const at = typescript.lastIndexOf(`${sep}node_modules${sep}`);
  return at < 0 ? undefined : join(typescript.slice(0, at), 'node_modules', '.cache', 'msb-codegen');
}
