// The entry of a bundled runtime: scripts/bundle-runtime.mjs writes this file as `<name>.cjs` (for the
// product, dist/runtime/main.cjs, and the host's launcher, dist/host/launcher-process.cjs) beside the
// CommonJS bundle `<name>.bundle.cjs`, with the bundle's content hash in place of BUNDLE_HASH, and it
// runs the bundle through V8's code cache.
//
// Why: a runtime process starts once per sandbox, so what it spends starting is what a boot storm
// spends. CommonJS, since Node 20 starts its ESM loader for an ESM entry; the code cache, since each
// function the runtime calls is otherwise compiled from source on its first call (Node 20 has no
// module.enableCompileCache). With better-sqlite3's JavaScript in the bundle, a start costs 0.78-0.81x
// the CPU of the ESM bundle's, and the typed runtime's writes 0.70-0.71x (`npm run bench:runtime-start`).
//
// 1. The cache file is named after the bundle's content hash (baked in at build time), its size,
//    modification time and inode, and Node's version and architecture: a rebuilt bundle (its hash), a
//    bundle edited in place (its time and size) or another Node never reads an old cache. V8 itself
//    checks only the source's length (and its own version and flags), so the name is what keeps stale
//    bytecode out.
// 2. A process that found no usable cache writes one only when its bundle calls
//    `globalThis[Symbol.for('msb.codeCache.save')]()`, once its start path has run (the runtime: after
//    its ready report and first sample; the launcher: after its first start; later, V8 may have
//    flushed the bytecode of functions that ran only at start). Never on its own at exit: a run that
//    failed early, or a launcher that started nothing, would leave a cache of its short path, which
//    later starts would use and never replace.
// 3. It is written to a temporary file and renamed; a runtime that finds the cache written meanwhile
//    by another, or its bundle rebuilt since it started, writes nothing; older caches of the bundle
//    and leftover temporary files are removed. A directory that cannot be written (a read-only
//    install) only means compiling again.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const { basename, dirname, join } = require('node:path');
const { Script } = require('node:vm');

const BUNDLE_HASH = 'BUNDLE_HASH';
const bundle = __filename.replace(/\.cjs$/, '.bundle.cjs');
const dir = dirname(bundle);
// One descriptor for the text and its identity, so a rebuild between the two cannot mix them.
const fd = fs.openSync(bundle, 'r');
const { size, mtimeMs, ino } = fs.fstatSync(fd);
const source = fs.readFileSync(fd, 'utf8');
fs.closeSync(fd);
const prefix = `${basename(bundle)}.`;
const cacheName = `${prefix}${BUNDLE_HASH}-${size}-${Math.trunc(mtimeMs)}-${ino}-${process.version}-${process.arch}.v8cache`;
const cacheFile = join(dir, cacheName);

let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new Script(Module.wrap(source), { filename: bundle, cachedData });
const rejected = cachedData !== undefined && script.cachedDataRejected === true;
let saved = cachedData !== undefined && !rejected;
globalThis[Symbol.for('msb.codeCache.save')] = saveCache;

const bundleModule = new Module(bundle, module);
bundleModule.filename = bundle;
bundleModule.paths = Module._nodeModulePaths(dir);
script
  .runInThisContext()
  .call(bundleModule.exports, bundleModule.exports, Module.createRequire(bundle), bundleModule, bundle, dir);

function saveCache() {
  if (saved) return;
  saved = true;
  const tmp = `${cacheFile}.tmp-${process.pid}`;
  try {
    // Written by another runtime since this one started (unless it was the one V8 rejected), or
    // the bundle was rebuilt since: this run's bytecode is not wanted.
    if (!rejected && fs.existsSync(cacheFile)) return;
    const now = fs.statSync(bundle);
    if (now.ino !== ino || now.size !== size || now.mtimeMs !== mtimeMs) return;
    fs.writeFileSync(tmp, script.createCachedData());
    fs.renameSync(tmp, cacheFile);
    for (const other of fs.readdirSync(dir)) {
      if (other !== cacheName && other.startsWith(prefix) && other.includes('.v8cache')) {
        fs.rmSync(join(dir, other), { force: true });
      }
    }
  } catch {
    // Read-only or full: the next runtime compiles again.
    fs.rmSync(tmp, { force: true });
  }
}
