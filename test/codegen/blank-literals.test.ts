import { describe, expect, it } from 'vitest';
import { blankLiterals } from '../../scripts/codegen/analysis/blank-literals.js';

describe('blankLiterals', () => {
  it('should blank every kind of literal, quoted name and comment to as many spaces', () => {
    const blank = (n: number): string => ' '.repeat(n);
    const cases: readonly (readonly [string, string])[] = [
      [`SELECT 'it''s @x' FROM t`, `SELECT ${blank(10)} FROM t`],
      ['SELECT "a""$b", `c$d`, [e$f] FROM t', `SELECT ${blank(7)}, ${blank(5)}, ${blank(5)} FROM t`],
      ['SELECT 1 -- @x\n, ?', `SELECT 1 ${blank(5)}\n, ?`],
      ['SELECT /* :a\n$b */ @c', `SELECT ${blank(11)} @c`],
    ];
    for (const [sql, blanked] of cases) {
      expect(blankLiterals(sql)).toBe(blanked);
      expect(blankLiterals(sql)).toHaveLength(sql.length);
    }
  });

  it('should leave bare names and parameters, with their offsets, as they are', () => {
    const sql = 'SELECT price$usd FROM t WHERE id = @id AND n = ?2';
    expect(blankLiterals(sql)).toBe(sql);
  });
});
