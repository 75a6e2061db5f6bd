import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { insertReturnsRow } from '../../scripts/codegen/insert-returns-row.js';
import { SchemaCatalog } from '../../scripts/codegen/schema-catalog.js';
import { expandSqlcMacros } from '../../scripts/codegen/sqlc-macros.js';
import { CASES_DIR } from './codegen-cases.js';

const CASE = join(CASES_DIR, 'read-one');
const catalog = SchemaCatalog.load(join(CASE, 'schema'), CASE, ['0001_init.sql']);
afterAll(() => catalog.close());

describe('expandSqlcMacros', () => {
  it('should leave macros inside strings, quoted identifiers and comments alone', () => {
    const sql = `SELECT 'sqlc.arg(a)' AS "sqlc.arg(b)" -- sqlc.arg(c)\nFROM owner /* sqlc.slice(d) */`;
    const m = expandSqlcMacros(sql, catalog);
    expect(m.sql).toBe(sql);
    expect(m.params.size).toBe(0);
  });

  it('should map an offset after a rewrite back to the original text, and one inside it to the macro', () => {
    const sql = 'SELECT id FROM item WHERE id IN (sqlc.slice(ids)) AND title = sqlc.arg(title)';
    const m = expandSqlcMacros(sql, catalog);
    expect(m.sql).toBe(
      'SELECT id FROM item WHERE id IN (SELECT value FROM json_each(@ids)) AND title = @title',
    );
    expect(m.originalOffset(m.sql.indexOf('AND'))).toBe(sql.indexOf('AND'));
    expect(m.originalOffset(m.sql.indexOf('json_each'))).toBe(sql.indexOf('sqlc.slice'));
    expect(m.originalOffset(m.sql.indexOf('@title') + 2)).toBe(sql.indexOf('sqlc.arg'));
  });

  it('should make a parameter nullable when any use of it is sqlc.narg', () => {
    const m = expandSqlcMacros(
      'SELECT id FROM owner WHERE name = sqlc.arg(n) OR email = sqlc.narg(n)',
      catalog,
    );
    expect(m.params.get('n')).toEqual({ name: 'n', nullable: true, slice: false });
  });

  it('should find the columns of an embedded alias among the result columns', () => {
    const m = expandSqlcMacros('SELECT 1 AS one, sqlc.embed(o), 2 AS two FROM owner AS o', catalog);
    const columns = catalog.table('owner')?.columns.length;
    expect(m.embeds).toEqual([{ ref: 'o', table: 'owner', offset: 17, first: 1, count: columns }]);
    expect(catalog.db.prepare(m.sql).columns()).toHaveLength((columns ?? 0) + 2);
  });
});

describe('insertReturnsRow', () => {
  it('should promise a row only for an INSERT … VALUES … RETURNING that nothing can skip', () => {
    const insert = "INSERT INTO owner (name, kind) VALUES (@name, 'team')";
    expect(insertReturnsRow(`${insert} RETURNING id`, catalog.db)).toBe(true);
    expect(insertReturnsRow(insert, catalog.db)).toBe(false);
    expect(insertReturnsRow(`${insert} ON CONFLICT DO NOTHING RETURNING id`, catalog.db)).toBe(false);
    expect(insertReturnsRow(`${insert.replace('INSERT', 'INSERT OR IGNORE')} RETURNING id`, catalog.db)).toBe(
      false,
    );
    expect(
      insertReturnsRow(`${insert.replace('INSERT', 'INSERT OR ROLLBACK')} RETURNING id`, catalog.db),
    ).toBe(true);
    expect(
      insertReturnsRow("INSERT INTO owner (name, kind) SELECT 'x', 'team' RETURNING id", catalog.db),
    ).toBe(false);
    expect(insertReturnsRow('UPDATE owner SET name = name RETURNING id', catalog.db)).toBe(false);
  });
});
