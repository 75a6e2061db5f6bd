// `npm run build`'s last step: the runtime as one file, `dist/runtime/main.js`, over tsc's output.
// `--bench` also bundles the storms' other runtimes the same way (the boot storm's naive and none
// runtimes, the database-bound storm's worker, the lock-handoff benchmark's worker and token server),
// so the modes differ by design only, not by packaging.
//
// Why: a runtime process starts once per sandbox, so its start-up CPU is what a boot storm spends.
// Loading tsc's ~60 modules (every query module through src/generated/index.ts) cost 50-60 ms of CPU
// per start; one tree-shaken ESM file parses in a few. better-sqlite3 stays external: it is a native
// addon. tsc still type-checks and emits everything; only these entries are replaced.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entries = [['src/runtime/main.ts', 'dist/runtime/main.js']];
if (process.argv.includes('--bench')) {
  for (const name of ['naive-runtime', 'none-runtime']) {
    entries.push([`bench/boot-storm/${name}.ts`, `dist/bench/${name}.js`]);
  }
  for (const name of ['db-storm-worker', 'lock-handoff-worker', 'lock-handoff-server']) {
    entries.push([`bench/${name}.ts`, `dist/bench/${name}.js`]);
  }
}

for (const [entry, outfile] of entries) {
  buildSync({
    entryPoints: [join(root, entry)],
    // The product runtime lands where tsc put it, so `import.meta.url`-relative paths resolve alike.
    outfile: join(root, outfile),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    minifySyntax: true,
    minifyWhitespace: true,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}
