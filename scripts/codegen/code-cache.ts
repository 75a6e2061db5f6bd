import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { basename, dirname, join, sep } from 'node:path';
import { Script } from 'node:vm';

/** What {@link Module} has at runtime and its typings leave out. */
interface LoadableModule {
  exports: unknown;
  filename: string;
  paths: string[];
  loaded: boolean;
}
const ModuleClass = Module as unknown as {
  new (id: string, parent?: unknown): LoadableModule;
  wrap(source: string): string;
  _nodeModulePaths(dir: string): string[];
};

/** Scripts compiled without a usable cache, written by {@link writeCodeCaches}. */
const pending = new Map<string, Script>();

/**
 * Loads a large CommonJS file (TypeScript's compiler, the SQL parser's generated grammar) through
 * V8's code cache, so a run skips most of compiling it: both are megabytes of JavaScript that every
 * run would otherwise compile, at start and then function by function as they are first called.
 *
 * 1. The module is put in `require`'s cache under its own path, so a later `require` of it (the SQL
 *    parser's entry requiring its grammar) gets this instance.
 * 2. The cache lives in `node_modules/.cache/msb-codegen/code-cache/`, one file per module (older
 *    ones are removed when a new one is written), named after its path, size, modification time and
 *    inode and Node's version and architecture, so a changed or reinstalled package, or another Node,
 *    never reads a stale one; V8 also checks the data itself (source and flags) and rejects what does
 *    not fit, and the file is then compiled as usual and its cache written again.
 * 3. Without a usable cache, {@link writeCodeCaches} writes one (on exit, or when a worker calls it),
 *    after the run, so it holds every function the run compiled, not just the top level.
 *
 * @example
 * ```ts
 * const ts = requireWithCodeCache(require.resolve('typescript')) as typeof import('typescript');
 * ```
 */
export function requireWithCodeCache(filename: string): unknown {
  const require = createRequire(filename);
  const known = require.cache[filename];
  if (known !== undefined) return known.exports;
  const source = readFileSync(filename, 'utf8');
  const cacheFile = codeCacheFile(filename);
  let cachedData: Buffer | undefined;
  try {
    cachedData = cacheFile === undefined ? undefined : readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(ModuleClass.wrap(source), {
    filename,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    if (pending.size === 0) process.once('exit', writeCodeCaches);
    pending.set(cacheFile, script);
  }
  const module = new ModuleClass(filename);
  module.filename = filename;
  module.paths = ModuleClass._nodeModulePaths(dirname(filename));
  require.cache[filename] = module as unknown as NodeJS.Module;
  try {
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(module.exports, module.exports, require, module, filename, dirname(filename));
  } catch (err) {
    delete require.cache[filename];
    throw err;
  }
  module.loaded = true;
  return module.exports;
}

/**
 * Writes the code cache of every module {@link requireWithCodeCache} compiled without one. Runs on
 * the process's exit by itself; a worker thread, which is terminated rather than exited, calls it
 * once its work is done. Never throws: a cache that cannot be written is only a slower next run.
 *
 * @example
 * ```ts
 * parentPort?.postMessage(reply);
 * writeCodeCaches();
 * ```
 */
export function writeCodeCaches(): void {
  for (const [file, script] of pending) {
    pending.delete(file);
    try {
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, file);
      pruneSiblings(file);
    } catch {
      // Read-only or full disk: the next run compiles again.
    }
  }
}

/** Where the cache of `filename` lives, or `undefined` when it is not inside a node_modules. */
function codeCacheFile(filename: string): string | undefined {
  const at = filename.lastIndexOf(`${sep}node_modules${sep}`);
  if (at < 0) return undefined;
  const nodeModules = filename.slice(0, at + `${sep}node_modules`.length);
  const stat = statSync(filename);
  const key = [
    filename.slice(nodeModules.length + 1),
    stat.size,
    stat.mtimeMs,
    stat.ino,
    process.version,
    process.arch,
  ].join('\0');
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const name = filename.slice(nodeModules.length + 1).replace(/[\\/]/g, '+');
  return join(nodeModules, '.cache', 'msb-codegen', 'code-cache', `${name}-${hash}.bin`);
}

/**
 * Removes the other caches of the module `file` caches (an older copy of the package, another Node):
 * one file per module stays, so upgrades do not pile megabytes up in node_modules/.cache.
 */
function pruneSiblings(file: string): void {
  const name = basename(file);
  const prefix = name.slice(0, name.lastIndexOf('-') + 1);
  for (const other of readdirSync(dirname(file))) {
    if (other !== name && other.startsWith(prefix) && other.endsWith('.bin'))
      rmSync(join(dirname(file), other), { force: true });
  }
}
