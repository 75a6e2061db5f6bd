import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnalyzedQuery } from '../../scripts/codegen/analyzed-query.js';
import { loadCodegenConfig } from '../../scripts/codegen/codegen-config.js';
import type { CodegenError } from '../../scripts/codegen/codegen-error.js';
import { ContentCache } from '../../scripts/codegen/content-cache.js';
import { generatedSyntaxProblems } from '../../scripts/codegen/generated-syntax.js';
import { ModuleRenderer } from '../../scripts/codegen/module-renderer.js';
import type { QueryBlock } from '../../scripts/codegen/query-block.js';
import { renderFile, sqlConstantName } from '../../scripts/codegen/render-file.js';
import { CASES_DIR } from './codegen-cases.js';

function block(name: string, line: number): QueryBlock {
  return {
    path: 'queries/q.sql',
    name,
    command: ':exec',
    tag: ':write',
    doc: [],
    sql: 'DELETE FROM t',
    line,
    sqlLine: line + 2,
  };
}

const queries: AnalyzedQuery[] = [
  {
    block: block('First', 1),
    fields: [],
    params: [],
    bigint: false,
    table: undefined,
    embeds: [],
    alwaysRow: false,
  },
  {
    block: block('Second', 5),
    fields: [],
    params: [],
    bigint: false,
    table: undefined,
    embeds: [],
    alwaysRow: false,
  },
];
const text = renderFile('queries/q.sql', queries, {
  dbImport: '../db/index.js',
  decoders: new Map(),
  functionName: (n) => n.charAt(0).toLowerCase() + n.slice(1),
  shareRow: () => undefined,
});
const sources = queries.map((q) => ({
  marker: `\nconst ${sqlConstantName(q.block.name)} = `,
  block: q.block,
  what: q.block.name,
}));

describe('generatedSyntaxProblems', () => {
  it('should find nothing in a module the renderer wrote', () => {
    expect(generatedSyntaxProblems([{ path: 'out/q.ts', text, sources }])).toEqual([]);
  });

  it('should locate a parse error at the name line of the query whose code holds it, once per query', () => {
    // A renderer bug, forced: the second query's function loses its closing parenthesis twice over.
    const broken = text
      .replace('export function second(', 'export function second((')
      .replace('conn.run(SECOND_SQL, undefined);', 'conn.run(SECOND_SQL, undefined;');
    expect(broken).not.toBe(text);
    const problems = generatedSyntaxProblems([{ path: 'out/q.ts', text: broken, sources }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: 'queries/q.sql', line: 5, col: 1 });
    expect(problems[0]?.message).toMatch(
      /^Second: the generated code does not parse: .* at out\/q\.ts:\d+:\d+ /,
    );
  });

  it('should locate an error before any query in the module itself', () => {
    const broken = text.replace("from '../db/index.js';", "from '../db/index.js'");
    const problems = generatedSyntaxProblems([
      { path: 'out/q.ts', text: broken.replace('import {', 'import {{'), sources },
    ]);
    expect(problems[0]).toMatchObject({ path: 'out/q.ts', line: 2 });
    expect(problems[0]?.message).toMatch(/^the generated module does not parse: /);
  });

  it('should report each broken module of a run', () => {
    const problems = generatedSyntaxProblems([
      { path: 'out/a.ts', text: 'const = ;', sources: [] },
      { path: 'out/b.ts', text, sources },
      { path: 'out/c.ts', text: 'export type T = readonly [number,', sources: [] },
    ]);
    expect(problems.map((p) => p.path)).toEqual(['out/a.ts', 'out/c.ts']);
  });
});

describe('ModuleRenderer', () => {
  it('should refuse to finish a run whose module does not parse, naming the query', () => {
    expect.assertions(3);
    const renderer = new ModuleRenderer(loadCodegenConfig(join(CASES_DIR, 'read-one', 'sqlc.yaml')));
    // A type text no analysis makes, standing in for a renderer bug that writes broken code.
    const bad: AnalyzedQuery = {
      block: { ...block('Broken', 7), command: ':one', tag: ':read', sql: 'SELECT 1 AS n' },
      fields: [
        { index: 0, field: 'n', type: { storage: ['integer'], nullable: false }, tsOverride: 'number |' },
      ],
      params: [],
      bigint: false,
      table: undefined,
      embeds: [],
      alwaysRow: false,
    };
    renderer.add('q.sql', [queries[0] as AnalyzedQuery, bad]);
    try {
      renderer.finish();
    } catch (err) {
      expect((err as CodegenError).code).toBe('CODEGEN_UNPARSABLE_OUTPUT');
      expect((err as CodegenError).diagnostics.map((d) => [d.path, d.line])).toEqual([['queries/q.sql', 7]]);
      expect((err as CodegenError).message).toMatch(
        /^queries\/q\.sql:7:1: Broken: the generated code does not parse: /,
      );
    }
  });
});

describe('generatedSyntaxProblems with the accepted modules', () => {
  const broken = text.replace('export function', 'export function function');

  it('should keep only the texts that parse, so a broken one is reported on every run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msb-accepted-'));
    try {
      const accepted = ContentCache.open('parsed-modules', 'parser', dir);
      expect(generatedSyntaxProblems([{ path: 'out/q.ts', text, sources }], accepted)).toEqual([]);
      expect(accepted.get([text])).toBeDefined();
      const problems = generatedSyntaxProblems([{ path: 'out/q.ts', text: broken, sources }], accepted);
      expect(problems).toHaveLength(1);
      expect(accepted.get([broken])).toBeUndefined();
      expect(generatedSyntaxProblems([{ path: 'out/q.ts', text: broken, sources }], accepted)).toEqual(
        problems,
      );
      // A text found there is not parsed again: that is the whole point, so it must be only accepted ones.
      accepted.set([broken], new Uint8Array());
      expect(generatedSyntaxProblems([{ path: 'out/q.ts', text: broken, sources }], accepted)).toEqual([]);
      expect(ContentCache.open('parsed-modules', 'another parser', dir).get([text])).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
