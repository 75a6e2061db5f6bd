import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCodegenConfig } from '../../scripts/codegen/codegen-config.js';
import { CodegenError } from '../../scripts/codegen/codegen-error.js';
import { type Diagnostic, formatDiagnostic } from '../../scripts/codegen/diagnostic.js';
import { generate } from '../../scripts/codegen/generate.js';
import { codegenCases } from './codegen-cases.js';

const cases = codegenCases();

/** The case's `expected-warnings.txt`, or '' when it expects none. */
function expectedWarnings(dir: string): string {
  const file = join(dir, 'expected-warnings.txt');
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd() : '';
}

const shown = (warnings: readonly Diagnostic[]): string => warnings.map(formatDiagnostic).join('\n');
/** Error cases that fail on the configuration or schema, before any query is read. */
const CODES: Readonly<Record<string, string>> = {
  'error-config': 'CODEGEN_CONFIG',
  'error-config-keys': 'CODEGEN_CONFIG',
  'error-bad-rename': 'CODEGEN_CONFIG',
  'error-empty-queries': 'CODEGEN_CONFIG',
  'error-missing-queries': 'CODEGEN_CONFIG',
  'error-missing-schema': 'CODEGEN_CONFIG',
  'error-naming': 'CODEGEN_CONFIG',
  'error-override-keys': 'CODEGEN_CONFIG',
  'error-override-misfit': 'CODEGEN_CONFIG',
  'error-override-unknown-column': 'CODEGEN_CONFIG',
  'error-unused-rename': 'CODEGEN_CONFIG',
  'error-schema': 'CODEGEN_SCHEMA',
  'error-schema-names': 'CODEGEN_SCHEMA',
};

describe('generate (golden cases)', () => {
  it('should have at least 30 cases, both valid and invalid', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => c.errorFile === undefined).length).toBeGreaterThanOrEqual(15);
    expect(cases.filter((c) => c.errorFile !== undefined).length).toBeGreaterThanOrEqual(15);
  });

  for (const c of cases.filter((k) => k.errorFile === undefined)) {
    it(`should generate exactly the expected files for ${c.name}`, () => {
      const warnings: Diagnostic[] = [];
      const files = generate(loadCodegenConfig(c.config), warnings);
      expect(shown(warnings)).toBe(expectedWarnings(c.dir));
      const expectedDir = join(c.dir, 'expected');
      const expectedNames = readdirSync(expectedDir).sort();
      expect([...files.keys()].map((p) => p.slice(expectedDir.length + 1))).toEqual(expectedNames);
      for (const [path, text] of files) expect(text).toBe(readFileSync(path, 'utf8'));
    });
  }

  for (const c of cases.filter((k) => k.errorFile !== undefined)) {
    it(`should report the expected problems for ${c.name}`, () => {
      expect.assertions(4);
      const expected = readFileSync(c.errorFile ?? '', 'utf8').trimEnd();
      const warnings: Diagnostic[] = [];
      try {
        generate(loadCodegenConfig(c.config), warnings);
      } catch (err) {
        expect(err).toBeInstanceOf(CodegenError);
        expect((err as CodegenError).code).toBe(CODES[c.name] ?? 'CODEGEN_INVALID_QUERIES');
        expect((err as CodegenError).message).toBe(expected);
      }
      expect(shown(warnings)).toBe(expectedWarnings(c.dir));
    });
  }

  it('should produce identical output on a second run (deterministic)', () => {
    const c = cases.find((k) => k.name === 'multiple-files');
    expect(c).toBeDefined();
    const config = loadCodegenConfig(c?.config ?? '');
    expect([...generate(config)]).toEqual([...generate(config)]);
  });
});
