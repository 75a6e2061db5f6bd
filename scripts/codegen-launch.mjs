// `npm run codegen` entry: runs scripts/codegen.ts as one JavaScript bundle under plain node.
//
// Why: a TypeScript loader resolves every module through off-thread hooks, which costs about a third
// of a second per run, and the render worker would pay it again. The bundle is content-addressed (a
// hash of the generator's sources, every directory under scripts/codegen included), built by esbuild
// only when those sources change, and kept in node_modules/.cache, so concurrent runs and stale builds
// cannot mix.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const scriptsDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(scriptsDir);
const cacheDir = join(root, 'node_modules/.cache/msb-codegen');
const sources = [
  join(scriptsDir, 'codegen.ts'),
  ...readdirSync(join(scriptsDir, 'codegen'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => join(scriptsDir, 'codegen', f)),
];
const hash = createHash('sha256');
for (const file of sources) hash.update(file).update('\0').update(readFileSync(file)).update('\0');
const bundleDir = join(cacheDir, hash.digest('hex').slice(0, 16));
const entry = join(bundleDir, 'codegen.mjs');

if (!existsSync(entry)) {
  const { buildSync } = await import('esbuild');
  const tmp = `${bundleDir}.tmp-${process.pid}`;
  buildSync({
    entryPoints: [join(scriptsDir, 'codegen.ts'), join(scriptsDir, 'codegen/render-worker.ts')],
    outbase: scriptsDir,
    outdir: tmp,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  try {
    renameSync(tmp, bundleDir);
  } catch {
    // Another run built the same sources first; its bundle is identical.
    rmSync(tmp, { recursive: true, force: true });
  }
}
await import(pathToFileURL(entry).href);
