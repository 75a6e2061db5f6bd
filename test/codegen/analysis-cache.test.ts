import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnalysisCache } from '../../scripts/codegen/analysis-cache.js';
import { loadCodegenConfig } from '../../scripts/codegen/codegen-config.js';
import { CodegenError } from '../../scripts/codegen/codegen-error.js';
import type { Diagnostic } from '../../scripts/codegen/diagnostic.js';
import { analyzeProject } from '../../scripts/codegen/generate.js';
import { readSchemaTexts } from '../../scripts/codegen/schema-texts.js';

// A real project on disk, analysed through the cache as the CLI does. An entry is tampered with after
// the first run, so a later run shows whether it was served from the cache (the tampered names) or
// analysed again; every input the analysis reads must turn the tampered entry into a miss.

let dir: string;
let store: string;

const QUERIES = {
  'a.sql': [
    '-- name: GetOwner :one',
    '-- :read',
    'SELECT id, owner_id FROM pet WHERE id = @id;',
    '',
    '-- name: ListPets :many',
    '-- :read',
    'SELECT id, name FROM pet WHERE name = @name;',
    '',
  ].join('\n'),
  'b.sql': ['-- name: CountPets :one', '-- :read', 'SELECT count(*) AS n FROM pet;', ''].join('\n'),
};

function write(path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

function config(dbImport = '../db/index.js'): void {
  write(
    'sqlc.yaml',
    [
      'version: "2"',
      'plugins: [{name: msb-ts, process: {cmd: node scripts/codegen-launch.mjs}}]',
      'sql:',
      '  - engine: sqlite',
      '    schema: schema',
      '    queries: queries',
      `    codegen: [{out: out, plugin: msb-ts, options: {db_import: ${dbImport}, rename: {owner_id: ownerID}}}]`,
      '',
    ].join('\n'),
  );
}

/** One analysis through the cache: the query names per file and the warnings. */
function run(generator = 'generator-1'): { names: string[]; warnings: Diagnostic[] } {
  const loaded = loadCodegenConfig(join(dir, 'sqlc.yaml'));
  const warnings: Diagnostic[] = [];
  const analyzed = analyzeProject(loaded, undefined, warnings, (texts) =>
    AnalysisCache.open(loaded, texts, generator, store),
  );
  return {
    names: [...analyzed].flatMap(([file, queries]) => queries.map((q) => `${file}:${q.block.name}`)),
    warnings,
  };
}

/** Renames every query of every cached file, as only a cache hit can show. */
function tamper(generator = 'generator-1'): void {
  const loaded = loadCodegenConfig(join(dir, 'sqlc.yaml'));
  const cache = AnalysisCache.open(
    loaded,
    readSchemaTexts(join(dir, 'schema'), ['0001_init.sql']),
    generator,
    store,
  );
  for (const file of Object.keys(QUERIES)) {
    const text = readFileSync(join(dir, 'queries', file), 'utf8');
    const entry = cache?.get(file, text);
    if (entry === undefined) continue;
    cache?.set(file, text, {
      ...entry,
      queries: entry.queries.map((q) => ({
        ...q,
        query: { ...q.query, block: { ...q.query.block, name: `${q.query.block.name}Tampered` } },
      })),
    });
  }
}

const tampered = (names: readonly string[]): string[] => names.filter((n) => n.endsWith('Tampered'));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'msb-analysis-cache-'));
  store = join(dir, '.cache');
  write(
    'schema/0001_init.sql',
    'CREATE TABLE pet (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, name TEXT NOT NULL);\n',
  );
  for (const [file, text] of Object.entries(QUERIES)) write(`queries/${file}`, text);
  config();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('AnalysisCache', () => {
  it('should serve a file analysed before, warnings and used rename entries included', () => {
    const first = run();
    expect(first.warnings.length).toBeGreaterThan(0);
    tamper();
    const second = run();
    expect(second.names).toEqual(first.names.map((n) => `${n}Tampered`));
    // Every warning again, and no "rename entry matches nothing" error: the entry kept its use.
    expect(second.warnings).toEqual(first.warnings);
  });

  it('should analyse again only the query file whose text changed', () => {
    run();
    tamper();
    write('queries/a.sql', `-- a comment\n${QUERIES['a.sql']}`);
    expect(tampered(run().names)).toEqual(['b.sql:CountPetsTampered']);
  });

  const everything: readonly (readonly [string, () => void])[] = [
    ['a schema file changes', () => write('schema/0001_init.sql', `-- changed\n${readSchema()}`)],
    [
      'a schema file is added',
      () => write('schema/0002_more.sql', 'CREATE TABLE toy (id INTEGER PRIMARY KEY);\n'),
    ],
    ['the configuration changes', () => config('../elsewhere/index.js')],
  ];
  for (const [what, change] of everything) {
    it(`should analyse every file again when ${what}`, () => {
      run();
      tamper();
      change();
      expect(tampered(run().names)).toEqual([]);
    });
  }

  it('should analyse every file again under another generator', () => {
    run();
    tamper();
    expect(tampered(run('generator-2').names)).toEqual([]);
  });

  it('should not keep a file with an error, so the error is reported on every run', () => {
    write('queries/c.sql', '-- name: Broken :one\n-- :read\nSELECT nope FROM pet;\n');
    const failure = (): Diagnostic[] => {
      try {
        run();
      } catch (e) {
        if (e instanceof CodegenError) return [...e.diagnostics];
        throw e;
      }
      return [];
    };
    const first = failure();
    expect(first.map((d) => d.path)).toEqual(['queries/c.sql']);
    expect(failure()).toEqual(first);
  });

  it('should report a schema broken after every file was kept, and nothing else', () => {
    run();
    write(
      'schema/0001_init.sql',
      'CREATE TABLE pet (id INTEGER PRIMARY KEY, oops);\nCREATE TABLE pet (x);\n',
    );
    expect(() => run()).toThrow(/schema\/0001_init\.sql.*already exists/s);
  });

  it('should keep an analysis under the schema texts it was made from, though a file changes mid-run', () => {
    const ownerStorage = (analyzed: ReturnType<typeof analyzeProject>) =>
      analyzed.get('a.sql')?.find((q) => q.block.name === 'GetOwner')?.fields[1]?.type.storage;
    const loaded = loadCodegenConfig(join(dir, 'sqlc.yaml'));
    const before = readSchema();
    // The schema file is rewritten (owner_id INTEGER becomes TEXT) right after the run read it for
    // the cache key: the run must analyse what it keyed, not what it finds on disk later.
    const during = analyzeProject(loaded, undefined, [], (texts) => {
      const cache = AnalysisCache.open(loaded, texts, 'generator-1', store);
      write('schema/0001_init.sql', before.replace('owner_id INTEGER', 'owner_id TEXT'));
      return cache;
    });
    expect(ownerStorage(during)).toEqual(['integer']);
    // Back to the first schema: what the cache serves is the analysis of that schema.
    write('schema/0001_init.sql', before);
    const again = analyzeProject(loaded, undefined, [], (texts) =>
      AnalysisCache.open(loaded, texts, 'generator-1', store),
    );
    expect(ownerStorage(again)).toEqual(['integer']);
    // And the changed schema, analysed on its own, gives its own type.
    write('schema/0001_init.sql', before.replace('owner_id INTEGER', 'owner_id TEXT'));
    const changed = analyzeProject(loaded, undefined, [], (texts) =>
      AnalysisCache.open(loaded, texts, 'generator-1', store),
    );
    expect(ownerStorage(changed)).toEqual(['text']);
  });

  it('should find a query name used twice across a cached file and a new one', () => {
    run();
    write('queries/0.sql', '-- name: CountPets :one\n-- :read\nSELECT 1 AS n;\n');
    expect(() => run()).toThrow(/duplicate query name CountPets \(first defined at queries\/0\.sql:1\)/);
  });
});

function readSchema(): string {
  return readFileSync(join(dir, 'schema/0001_init.sql'), 'utf8');
}
