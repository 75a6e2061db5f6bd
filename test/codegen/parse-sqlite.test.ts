import type { Node } from 'sql-parser-cst';
import { describe, expect, it } from 'vitest';
import { parseSqlite } from '../../scripts/codegen/analysis/syntax-tree.js';

/** Every identifier of a tree, with the text its source range covers. */
function identifiers(sql: string): { readonly name: string; readonly source: string }[] {
  const out: { name: string; source: string }[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) for (const v of value) walk(v);
    else if (typeof value === 'object' && value !== null && 'type' in value) {
      const node = value as Node & { range?: [number, number] };
      if (node.type === 'identifier' && node.range !== undefined) {
        out.push({ name: node.name, source: sql.slice(node.range[0], node.range[1]) });
      }
      for (const [key, child] of Object.entries(node)) if (key !== 'range') walk(child);
    }
  };
  walk(parseSqlite(sql));
  return out;
}

describe('parseSqlite', () => {
  it('should read a name with $ in it, as SQLite does, with its own name and source range', () => {
    const sql = "SELECT price$usd, note$1 FROM quote WHERE price$usd > $min AND note$1 <> 'a$b'";
    expect(identifiers(sql)).toEqual([
      { name: 'price$usd', source: 'price$usd' },
      { name: 'note$1', source: 'note$1' },
      { name: 'quote', source: 'quote' },
      { name: 'price$usd', source: 'price$usd' },
      { name: 'note$1', source: 'note$1' },
    ]);
  });

  it('should give back only the names it rewrote, where they stand, each as written', () => {
    const sql = 'SELECT Price$Usd, price$usd, "price_usd", [price_usd], a$_b, a_$b, x AS "a_b" FROM quote';
    expect(identifiers(sql).map((i) => i.name)).toEqual([
      'Price$Usd',
      'price$usd',
      'price_usd',
      'price_usd',
      'a$_b',
      'a_$b',
      'x',
      'a_b',
      'quote',
    ]);
  });
});
