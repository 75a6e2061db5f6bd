import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  docComment,
  list,
  MAX_LINE_WIDTH,
  printDoc,
  stringLiteral,
  templateLiteral,
  union,
  unionMembers,
} from '../../scripts/codegen/code-layout.js';

const names = (n: number, width: number): string[] =>
  Array.from({ length: n }, (_, i) => `p${String(i).padStart(width - 2, '0')}`);

describe('printDoc', () => {
  it('should keep a list on one line when it fits, and break it one item per line when it does not', () => {
    expect(printDoc(['f', list('(', ['a', 'b'], ')'), ';'], '  ')).toBe('  f(a, b);');
    const items = names(12, 12);
    const broken = printDoc(['f', list('(', items, ')'), ';'], '  ');
    expect(broken.split('\n')).toEqual(['  f(', ...items.map((i) => `    ${i},`), '  );']);
  });

  it('should count the text after a group when deciding whether the group fits', () => {
    // The list alone fits in the width; with the text after it, it does not.
    const item = 'x'.repeat(MAX_LINE_WIDTH - 4);
    expect(printDoc(['(', list('[', [item], ']'), ')'])).toBe(`(${'['}${item}])`);
    expect(printDoc(['(', list('[', [item], ']'), ');;;;'])).toContain('\n');
  });

  it('should break an outer group and keep an inner one flat when the inner one fits on its own line', () => {
    const inner = list('{', ['a: 1', 'b: 2'], '}', true);
    const text = printDoc(['call', list('(', ['y'.repeat(60), inner, 'z'.repeat(60)], ')'), ';']);
    expect(text.split('\n')).toEqual([
      'call(',
      `  ${'y'.repeat(60)},`,
      '  { a: 1, b: 2 },',
      `  ${'z'.repeat(60)},`,
      ');',
    ]);
  });

  it('should put a long union after a colon on the lines below it, one member per line', () => {
    const members = names(20, 10).map((m) => `'${m}'`);
    const text = printDoc(['readonly kind:', union(members, true), ';'], '  ');
    const last = members.length - 1;
    expect(text.split('\n')).toEqual([
      '  readonly kind:',
      ...members.map((m, i) => `    | ${m}${i === last ? ';' : ''}`),
    ]);
    expect(printDoc(['readonly kind:', union(["'a'", "'b'"], true), ';'])).toBe("readonly kind: 'a' | 'b';");
  });

  it('should print every line within the width when the items allow it', () => {
    const text = printDoc(['export function f', list('(', names(30, 20), ')'), ': void {']);
    for (const l of text.split('\n')) expect(l.length).toBeLessThanOrEqual(MAX_LINE_WIDTH);
  });
});

describe('unionMembers', () => {
  it('should split only at top-level bars, not inside parentheses or string literals', () => {
    expect(unionMembers('readonly (number | string)[] | null')).toEqual([
      'readonly (number | string)[]',
      'null',
    ]);
    expect(unionMembers("'a | b' | 'it\\'s' | number")).toEqual(["'a | b'", "'it\\'s'", 'number']);
  });
});

describe('templateLiteral', () => {
  it('should evaluate to exactly the text it was given', () => {
    const texts = [
      'SELECT `name` FROM t',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the text a template literal must escape
      "SELECT '${x}', '$', '{', '$${y}' FROM t",
      "SELECT '\\', '\\n', '\\`' FROM t",
      'SELECT 1\r\nFROM t\rWHERE 1',
      "SELECT 'héllo ✓ 名前 \u2028 \u2029'   \n  FROM t  ",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the text a template literal must escape
      '`${`\\${\\`}`',
    ];
    for (const text of texts) expect(runInNewContext(templateLiteral(text))).toBe(text);
  });
});

describe('stringLiteral', () => {
  it('should evaluate to exactly the text it was given', () => {
    for (const text of ["it's", '../db/"x"', 'a\\b', 'line\nbreak\r', '\u2028 ✓ 名前', '']) {
      const literal = stringLiteral(text);
      expect(literal.startsWith("'")).toBe(true);
      expect(runInNewContext(literal)).toBe(text);
    }
  });
});

describe('docComment', () => {
  it('should keep a comment open until its end whatever the lines hold', () => {
    const text = docComment(['Ends early? */ no.', '```sql', "SELECT '*/'", '```']);
    expect(text.indexOf('*/')).toBe(text.length - 2);
  });

  it('should wrap prose to the width and keep code lines as they are', () => {
    const prose = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const code = `SELECT ${'c, '.repeat(60)}d`;
    const lines = docComment([prose, '```sql', code, '```'], '  ').split('\n');
    expect(lines.filter((l) => l.length > MAX_LINE_WIDTH)).toEqual([`   * ${code}`]);
    expect(
      lines
        .filter((l) => l.includes('word'))
        .map((l) => l.replace('   * ', ''))
        .join(' '),
    ).toBe(prose);
  });

  it('should be one line when one line fits', () => {
    expect(docComment(['Parameters of {@link run}.'])).toBe('/** Parameters of {@link run}. */');
  });
});
