// The entry of a bundled runtime: scripts/bundle-runtime.mjs copies this file to `<name>.cjs` (for
// the product, dist/runtime/main.cjs) beside the CommonJS bundle `<name>.bundle.cjs`, which it runs
// through V8's code cache.
//
// Why: a runtime process starts once per sandbox, so what it spends starting is what a boot storm
// spends. CommonJS, since Node 20 starts its ESM loader for an ESM entry (about 10 ms of CPU per
// process, measured with the runtime's own bundle); the code cache, since each function the runtime
// calls is otherwise compiled from source on its first call (Node 20 has no module.enableCompileCache).
//
// The cache file is named after the bundle's size, modification time and inode and Node's version and
// architecture, so a rebuilt bundle or another Node never reads an old one (V8 checks only the
// source's length, and its own version and flags, and rejects what does not fit). A runtime that
// found no usable cache writes one as it exits with code 0, after a whole run, so the cache holds every
// function such a run compiled (one that failed early would leave a cache of its short path, which
// later runtimes would use and never replace); a bundle directory that cannot be written (a read-only
// install) only means compiling again. Older caches of the bundle are removed when a new one is
// written.
'use strict';
const {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} = require('node:fs');
const Module = require('node:module');
const { basename, dirname, join } = require('node:path');
const { Script } = require('node:vm');

const bundle = __filename.replace(/\.cjs$/, '.bundle.cjs');
const dir = dirname(bundle);
const source = readFileSync(bundle, 'utf8');
const { size, mtimeMs, ino } = statSync(bundle);
const cacheName = `${basename(bundle)}.${size}-${Math.trunc(mtimeMs)}-${ino}-${process.version}-${process.arch}.v8cache`;
const cacheFile = join(dir, cacheName);

let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new Script(Module.wrap(source), { filename: bundle, cachedData });
const rejected = cachedData !== undefined && script.cachedDataRejected === true;
if (cachedData === undefined || rejected) {
  process.once('exit', (code) => {
    if (code === 0) writeCache();
  });
}

const bundleModule = new Module(bundle, module);
bundleModule.filename = bundle;
bundleModule.paths = Module._nodeModulePaths(dir);
script
  .runInThisContext()
  .call(bundleModule.exports, bundleModule.exports, Module.createRequire(bundle), bundleModule, bundle, dir);

function writeCache() {
  // Another runtime of the same storm may have written it since this one started.
  if (!rejected && existsSync(cacheFile)) return;
  const tmp = `${cacheFile}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
    const prefix = `${basename(bundle)}.`;
    for (const other of readdirSync(dir)) {
      if (other !== cacheName && other.startsWith(prefix) && other.endsWith('.v8cache')) {
        rmSync(join(dir, other), { force: true });
      }
    }
  } catch {
    // Read-only or full: the next runtime compiles again.
    rmSync(tmp, { force: true });
  }
}
