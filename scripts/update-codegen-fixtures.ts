/**
 * Regenerates the golden files of every case under `test/fixtures/codegen/` (`npm run codegen:fixtures`):
 * a valid case gets its `expected/` directory, an invalid one its `expected-error.txt`. Review the diff
 * before committing: the golden files are the specification.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCodegenConfig } from './codegen/codegen-config.js';
import { CodegenError } from './codegen/codegen-error.js';
import { generate } from './codegen/generate.js';

const casesDir = resolve(import.meta.dirname, '../test/fixtures/codegen');
const only = process.argv.slice(2);
for (const name of readdirSync(casesDir).sort()) {
  if (only.length > 0 && !only.includes(name)) continue;
  const dir = join(casesDir, name);
  const expectedDir = join(dir, 'expected');
  const errorFile = join(dir, 'expected-error.txt');
  let files: Map<string, string> | undefined;
  let error: CodegenError | undefined;
  try {
    files = generate(loadCodegenConfig(join(dir, 'sqlc.yaml')));
  } catch (err) {
    if (!(err instanceof CodegenError)) throw err;
    error = err;
  }
  rmSync(expectedDir, { recursive: true, force: true });
  rmSync(errorFile, { force: true });
  if (error !== undefined) {
    writeFileSync(errorFile, `${error.message}\n`);
    console.log(`${name}: error (${error.diagnostics.length})`);
  } else if (files !== undefined) {
    mkdirSync(expectedDir, { recursive: true });
    for (const [path, text] of files) writeFileSync(path, text);
    console.log(`${name}: ${files.size} file(s)`);
  }
  if (!existsSync(expectedDir) && !existsSync(errorFile)) throw new Error(`${name}: nothing written`);
}
