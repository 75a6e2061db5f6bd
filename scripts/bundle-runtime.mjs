// `npm run build`'s last step: the runtime as one CommonJS file, `dist/runtime/main.bundle.cjs`, started
// through `dist/runtime/main.cjs` (scripts/code-cache-loader.cjs), which runs it with V8's code cache.
// `--bench` also bundles the storms' runtimes the same way (the boot storm's naive and none runtimes,
// the database-bound storm's worker), so the modes differ by design only, not by packaging; the
// lock-handoff benchmark's worker and token server, whose modes share one file, stay ESM.
//
// Why: a runtime process starts once per sandbox, so its start-up CPU is what a boot storm spends.
// Loading tsc's ~60 modules (every query module through src/generated/index.ts) cost 50-60 ms of CPU
// per start; one tree-shaken file parses in a few. CommonJS rather than ESM and the code cache save
// some 10 ms more per start (see the loader). better-sqlite3 stays external: it is a native addon. tsc
// still type-checks and emits everything (its dist/runtime/main.js is left, unused).
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const loader = join(root, 'scripts/code-cache-loader.cjs');
/** [entry, output without extension, CommonJS through the loader]. */
const entries = [['src/runtime/main.ts', 'dist/runtime/main', true]];
if (process.argv.includes('--bench')) {
  for (const name of ['naive-runtime', 'none-runtime']) {
    entries.push([`bench/boot-storm/${name}.ts`, `dist/bench/${name}`, true]);
  }
  entries.push(['bench/db-storm-worker.ts', 'dist/bench/db-storm-worker', true]);
  for (const name of ['lock-handoff-worker', 'lock-handoff-server']) {
    entries.push([`bench/${name}.ts`, `dist/bench/${name}`, false]);
  }
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  minifySyntax: true,
  minifyWhitespace: true,
  sourcemap: 'linked',
  logLevel: 'warning',
};
for (const [entry, out, viaLoader] of entries) {
  const outfile = join(root, viaLoader ? `${out}.bundle.cjs` : `${out}.js`);
  if (!viaLoader) {
    buildSync({ ...common, entryPoints: [join(root, entry)], outfile, format: 'esm' });
    continue;
  }
  buildSync({
    ...common,
    entryPoints: [join(root, entry)],
    // Beside tsc's output, so `import.meta.url`-relative paths (the schema directory) resolve alike.
    outfile,
    format: 'cjs',
    define: { 'import.meta.url': '__msbImportMetaUrl' },
    banner: { js: 'var __msbImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
  copyFileSync(loader, join(root, `${out}.cjs`));
  // A rebuilt bundle makes every cache of the old one useless (the loader would not read it anyway).
  const dir = dirname(outfile);
  const prefix = `${outfile.slice(dir.length + 1)}.`;
  for (const file of readdirSync(dir)) {
    if (file.startsWith(prefix) && file.includes('.v8cache')) rmSync(join(dir, file), { force: true });
  }
}
