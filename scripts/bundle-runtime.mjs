// `npm run build`'s last step: the runtime as one CommonJS file, `dist/runtime/main.bundle.cjs`, started
// through `dist/runtime/main.cjs` (scripts/code-cache-loader.cjs with the bundle's hash), which runs it
// with V8's code cache; the host's launcher process the same way (`dist/host/launcher-process.cjs`),
// since a host starts it in the middle of its first burst of boots. `--bench` also bundles the storms'
// runtimes the same way: the boot storm's naive and none runtimes, and the database-bound storm's
// worker, once per mode (`db-storm-worker-typed` and `-naive`: one file would give the two modes one
// code cache, written by whichever ran first), so the modes differ by design only, not by packaging. It
// also bundles that worker as ESM for `bench:runtime-start`, and the lock-handoff benchmark's worker and
// token server (whose modes share one file) as ESM.
//
// Why: a runtime process starts once per sandbox, so its start-up CPU is what a boot storm spends.
// Loading tsc's ~60 modules (every query module through src/generated/index.ts) cost 50-60 ms of CPU
// per start; one tree-shaken file parses in a few; CommonJS and the code cache save more (see the
// loader). Only better-sqlite3's native addon stays a file of its own. tsc still type-checks and emits
// everything; its dist/runtime/main.js, which nothing runs, is removed.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const loader = readFileSync(join(root, 'scripts/code-cache-loader.cjs'), 'utf8');
const HASH_LINE = "const BUNDLE_HASH = 'BUNDLE_HASH';";
if (!loader.includes(HASH_LINE)) throw new Error(`scripts/code-cache-loader.cjs lost its line ${HASH_LINE}`);

/** [entry, output without extension, format]: `cjs` bundles are started through the loader. */
const entries = [
  ['src/runtime/main.ts', 'dist/runtime/main', 'cjs'],
  ['src/host/launcher-process.ts', 'dist/host/launcher-process', 'cjs'],
];
if (process.argv.includes('--bench')) {
  for (const name of ['naive-runtime', 'none-runtime']) {
    entries.push([`bench/boot-storm/${name}.ts`, `dist/bench/${name}`, 'cjs']);
  }
  for (const mode of ['typed', 'naive']) {
    entries.push(['bench/db-storm-worker.ts', `dist/bench/db-storm-worker-${mode}`, 'cjs']);
  }
  entries.push(['bench/db-storm-worker.ts', 'dist/bench/db-storm-worker-esm', 'esm']);
  for (const name of ['lock-handoff-worker', 'lock-handoff-server']) {
    entries.push([`bench/${name}.ts`, `dist/bench/${name}`, 'esm']);
  }
}

// The schema version the bundled queries were generated for (tsc has built dist/ by now): connect-db.ts
// checks the database against it instead of listing schema/ at every start.
const { latestSchemaVersion } = await import(pathToFileURL(join(root, 'dist/db/schema-files.js')).href);
const schemaVersion = latestSchemaVersion(join(root, 'schema'));
if (!(schemaVersion > 0))
  throw new Error(`schema/ holds no migration (NNNN_name.sql): version ${schemaVersion}`);

// better-sqlite3's JavaScript goes into the CommonJS bundles (and so into their code cache): loading
// its dozen modules, and `bindings` probing for the addon, cost a start ~10 ms of CPU where opening the
// addon itself costs ~1 ms. `bindings` is replaced by scripts/better-sqlite3-addon.cjs; the addon stays
// a file of its own.
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: true,
  sourcemap: 'linked',
  logLevel: 'silent',
  define: { MSB_BUNDLED_SCHEMA_VERSION: String(schemaVersion) },
};
for (const [entry, out, format] of entries) {
  const outfile = join(root, format === 'cjs' ? `${out}.bundle.cjs` : `${out}.js`);
  const options =
    format === 'esm'
      ? { ...common, entryPoints: [join(root, entry)], outfile, format, packages: 'external' }
      : {
          ...common,
          external: ['*.node'],
          alias: { bindings: join(root, 'scripts/better-sqlite3-addon.cjs') },
          entryPoints: [join(root, entry)],
          // Beside tsc's output, so `import.meta.url`-relative paths (the schema directory) resolve alike.
          outfile,
          format,
          define: { ...common.define, 'import.meta.url': '__msbImportMetaUrl' },
          // The directive first: after the banner, esbuild's own "use strict" would be a plain string,
          // and the bundle would run sloppy, where a write to a frozen object fails silently.
          banner: {
            js: '"use strict";var __msbImportMetaUrl=require("node:url").pathToFileURL(__filename).href;',
          },
        };
  const result = buildSync(options);
  // A warning in a CommonJS build is an ESM-only construct esbuild had to degrade (another
  // `import.meta` property becomes {}), so it fails the build instead of the runtime.
  if (result.warnings.length > 0 || result.errors.length > 0) {
    throw new Error(
      `${entry}: esbuild: ${[...result.errors, ...result.warnings].map((m) => m.text).join('; ')}`,
    );
  }
  const code = readFileSync(outfile, 'utf8');
  // A define that no longer matches what the code declares would leave the runtime listing schema/.
  if (code.includes('MSB_BUNDLED_SCHEMA_VERSION'))
    throw new Error(
      `${entry}: MSB_BUNDLED_SCHEMA_VERSION survived the build (see src/runtime/connect-db.ts)`,
    );
  if (format === 'esm') continue;
  // The loader runs the bundle as a classic script, which cannot load an ES module: `import()` would
  // fail only when reached.
  if (/\bimport\(/.test(code))
    throw new Error(`${entry}: the CommonJS bundle holds an import(), which the loader cannot run`);
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  writeFileSync(join(root, `${out}.cjs`), loader.replace(HASH_LINE, `const BUNDLE_HASH = '${hash}';`));
  // A rebuilt bundle makes every cache of the old one useless (the loader would not read it anyway).
  const dir = dirname(outfile);
  const prefix = `${outfile.slice(dir.length + 1)}.`;
  for (const file of readdirSync(dir)) {
    if (file.startsWith(prefix) && file.includes('.v8cache')) rmSync(join(dir, file), { force: true });
  }
}
rmSync(join(root, 'dist/runtime/main.js'), { force: true });
rmSync(join(root, 'dist/runtime/main.js.map'), { force: true });
rmSync(join(root, 'dist/runtime/main.d.ts'), { force: true });
