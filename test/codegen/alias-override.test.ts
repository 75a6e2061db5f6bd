import { describe, expect, it } from 'vitest';
import { aliasOverride, doubleQuotedAliases } from '../../scripts/codegen/alias-override.js';

describe('doubleQuotedAliases', () => {
  it('should hold only the result names written as double-quoted aliases', () => {
    const sql = `SELECT a AS "a!", b "b?", c AS 'c!', d AS [d!], e AS \`e!\`, trim(':x:', ':'), "f: g" FROM t`;
    expect([...doubleQuotedAliases(sql)]).toEqual(['a!', 'b?']);
  });

  it('should read the first select of a compound statement and the RETURNING list of a write', () => {
    expect([
      ...doubleQuotedAliases('WITH w AS (SELECT 1 AS "in!") SELECT 1 AS "x!" UNION SELECT 2 AS "y!"'),
    ]).toEqual(['x!']);
    expect([...doubleQuotedAliases('INSERT INTO t (a) VALUES (1) RETURNING a AS "a: number"')]).toEqual([
      'a: number',
    ]);
  });

  it('should fall back to the double-quoted names of the text when the parser cannot read the statement', () => {
    expect([...doubleQuotedAliases(`SELECT 'x' AS 名前, count(*) AS "n!", '"not"' FROM t`)]).toEqual(['n!']);
  });
});

describe('aliasOverride', () => {
  const quoted = (name: string) => aliasOverride(name, new Set([name]));

  it('should read !, ? and : Type on a double-quoted alias', () => {
    expect(quoted('refs!')).toEqual({ name: 'refs', nullable: false, ts: undefined });
    expect(quoted('note?')).toEqual({ name: 'note', nullable: true, ts: undefined });
    expect(quoted('title!: string')).toEqual({ name: 'title', nullable: false, ts: 'string' });
    expect(quoted("kind: 'a' | 'it\\'s' | -1.5 | null")).toEqual({
      name: 'kind',
      nullable: undefined,
      ts: "'a' | 'it\\'s' | -1.5 | null",
    });
    expect(quoted('blob:Buffer|unknown')).toEqual({
      name: 'blob',
      nullable: undefined,
      ts: 'Buffer | unknown',
    });
  });

  it('should keep any other name whole, colons and marks included', () => {
    for (const name of ["trim(':ABCDE:', ':')", "group_concat(x, ':')", 'a: string', 'b!']) {
      expect(aliasOverride(name, new Set())).toEqual({ name, nullable: undefined, ts: undefined });
    }
    expect(quoted('plain name')).toEqual({ name: 'plain name', nullable: undefined, ts: undefined });
  });

  it('should refuse a type it does not know, naming the column and the type', () => {
    expect(quoted('id: integer')).toEqual({
      error: expect.stringMatching(/^result column "id: integer": unknown type "integer"/),
    });
    expect(quoted('x: boolean')).toEqual({ error: expect.stringContaining('unknown type "boolean"') });
    expect(quoted("x: 'a\\u'")).toEqual({ error: expect.stringContaining(`unknown type "'a\\\\u'"`) });
    expect(quoted('x: ')).toEqual({ error: expect.stringContaining('no type after the colon') });
    expect(quoted('x: string |')).toEqual({ error: expect.stringContaining('no type') });
  });
});
