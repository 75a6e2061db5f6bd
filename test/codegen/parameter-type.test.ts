import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeStatement } from '../../scripts/codegen/analysis/analyze-statement.js';
import { parameterType } from '../../scripts/codegen/analysis/parameter-uses.js';
import { SchemaCatalog } from '../../scripts/codegen/schema-catalog.js';
import type { AnalyzedType } from '../../scripts/codegen/value-type.js';
import { CASES_DIR } from './codegen-cases.js';

const CASE = join(CASES_DIR, 'param-contexts');
const catalog = SchemaCatalog.load(join(CASE, 'schema'), CASE, ['0001_job.sql']);
afterAll(() => catalog.close());

/** The type of each parameter of `sql`, by its key (`attempt`, `?1`), as the generator resolves it. */
function types(sql: string): Record<string, AnalyzedType> {
  const analysis = analyzeStatement(sql, catalog, new Map());
  return Object.fromEntries(analysis.params.map((p) => [p.key, parameterType(p.uses).type]));
}

describe('parameterType', () => {
  it('should give a value written through CASE the column type, not SqlValue', () => {
    const t = types(
      "UPDATE job SET attempt = CASE WHEN state = 'running' THEN @attempt ELSE attempt END WHERE id = @id",
    );
    expect(t.attempt).toEqual({ storage: ['integer'], nullable: false });
  });

  it('should admit NULL through COALESCE even into a NOT NULL column', () => {
    const t = types('UPDATE job SET attempt = COALESCE(@attempt, attempt) WHERE id = @id');
    expect(t.attempt).toEqual({ storage: ['integer'], nullable: true });
  });

  it('should intersect the classes of every use', () => {
    const t = types('SELECT id FROM job WHERE attempt = @n AND @n + 0.5 > 0');
    expect(t.n?.storage).toEqual(['integer']);
  });

  it('should admit NULL only when every use does', () => {
    expect(types('UPDATE job SET note = @x WHERE id = 1').x?.nullable).toBe(true);
    expect(types('UPDATE job SET note = @x, queue = @x WHERE id = 1').x?.nullable).toBe(false);
    expect(types('UPDATE job SET queue = @x WHERE id = 1 AND (@x IS NULL OR 1)').x?.nullable).toBe(true);
  });

  it('should keep the enum values of a column through a LIKE of the same parameter', () => {
    const t = types("SELECT id FROM job WHERE state = @s AND @s LIKE 'q%'");
    expect(t.s).toEqual({ storage: ['text'], nullable: false, enumValues: ['queued', 'running', 'done'] });
  });

  it('should fall back to the union when the uses share no class', () => {
    const t = types('SELECT id FROM job WHERE attempt = @p OR queue = @p');
    expect(t.p?.storage).toEqual(['integer', 'text']);
  });

  it('should type an argument by what the function is defined on, and leave typeof open', () => {
    const t = types("SELECT substr(?1, 1, ?2), abs(?3), datetime(?4), json_extract(?5, '$.a'), typeof(?6)");
    expect(t['?1']?.storage).toEqual(['text', 'blob']);
    expect(t['?2']?.storage).toEqual(['integer']);
    expect(t['?3']?.storage).toEqual(['integer', 'real']);
    expect(t['?4']?.storage).toEqual(['integer', 'real', 'text']);
    expect(t['?5']?.storage).toEqual(['text']);
    expect(t['?6']?.storage).toBe('any');
  });

  it('should leave a parameter compared only with another parameter open', () => {
    const t = types('SELECT @a = @b AS same');
    expect(t.a?.storage).toBe('any');
    expect(t.b?.storage).toBe('any');
  });

  it('should find a parameter on the left of IN or BETWEEN whose other side is only parameters', () => {
    const inTree = (sql: string) =>
      Object.fromEntries(analyzeStatement(sql, catalog, new Map()).params.map((p) => [p.key, p.inTree]));
    expect(inTree('SELECT id FROM job WHERE @a IN (@b, @c)')).toEqual({ a: true, b: true, c: true });
    expect(inTree('SELECT id FROM job WHERE @a BETWEEN @lo AND @hi')).toEqual({
      a: true,
      lo: true,
      hi: true,
    });
    expect(inTree('SELECT id FROM job WHERE ? IN (?, ?)')).toEqual({ '?1': true, '?2': true, '?3': true });
  });

  it('should keep a boolean override through the intersection of its uses', () => {
    const overrides = new Map([['job.attempt', { column: 'job.attempt', type: 'boolean' as const }]]);
    const analysis = analyzeStatement(
      'UPDATE job SET attempt = @b WHERE attempt = @b AND id = @id',
      catalog,
      overrides,
    );
    const b = analysis.params.find((p) => p.key === 'b')!;
    expect(parameterType(b.uses).type.representation).toEqual({ kind: 'boolean' });
  });
});
