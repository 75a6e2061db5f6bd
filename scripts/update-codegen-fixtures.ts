/**
 * Regenerates the golden files of every case under `test/fixtures/codegen/` (`npm run codegen:fixtures`):
 * a valid case gets its `expected/` directory, an invalid one its `expected-error.txt`, and a case with
 * warnings (valid or not) its `expected-warnings.txt`. Review the diff before committing: the golden
 * files are the specification.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCodegenConfig } from './codegen/codegen-config.js';
import { CodegenError } from './codegen/codegen-error.js';
import type { Diagnostic } from './codegen/diagnostic.js';
import { formatDiagnostic } from './codegen/diagnostic.js';
import { generate } from './codegen/generate.js';

const casesDir = resolve(import.meta.dirname, '../test/fixtures/codegen');
const only = process.argv.slice(2);
for (const name of readdirSync(casesDir).sort()) {
  if (only.length > 0 && !only.includes(name)) continue;
  const dir = join(casesDir, name);
  const expectedDir = join(dir, 'expected');
  const errorFile = join(dir, 'expected-error.txt');
  const warningsFile = join(dir, 'expected-warnings.txt');
  const warnings: Diagnostic[] = [];
  let files: Map<string, string> | undefined;
  let error: CodegenError | undefined;
  try {
    files = generate(loadCodegenConfig(join(dir, 'sqlc.yaml')), warnings);
  } catch (err) {
    if (!(err instanceof CodegenError)) throw err;
    error = err;
  }
  rmSync(expectedDir, { recursive: true, force: true });
  rmSync(errorFile, { force: true });
  rmSync(warningsFile, { force: true });
  if (warnings.length > 0) {
    writeFileSync(warningsFile, `${warnings.map(formatDiagnostic).join('\n')}\n`);
    console.log(`${name}: ${warnings.length} warning(s)`);
  }
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
