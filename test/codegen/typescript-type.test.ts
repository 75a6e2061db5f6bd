import { describe, expect, it } from 'vitest';
import { orNull, tsText } from '../../scripts/codegen/typescript-type.js';
import { unionType } from '../../scripts/codegen/value-type.js';

describe('tsText', () => {
  it('should print integer and real as number, text as string, blob as Buffer and any as unknown', () => {
    expect(tsText({ storage: ['integer', 'real'], nullable: false })).toBe('number');
    expect(tsText({ storage: ['blob', 'text'], nullable: false })).toBe('Buffer | string');
    expect(tsText({ storage: 'any', nullable: true })).toBe('unknown');
  });

  it('should print an enum as its literals in their order and bigint under the override', () => {
    expect(tsText({ storage: ['text'], nullable: false, enumValues: ['b', "it's"] })).toBe("'b' | 'it\\'s'");
    expect(tsText({ storage: ['integer'], nullable: false, representation: { kind: 'bigint' } })).toBe(
      'bigint',
    );
  });
});

describe('unionType', () => {
  it('should drop the NULL literal next to any other type, keeping its nullability', () => {
    const t = unionType({ storage: [], nullable: true }, { storage: ['text'], nullable: false });
    expect(t).toEqual({ storage: ['text'], nullable: true });
  });

  it('should merge enums sorted, widen an enum joined with plain text and absorb into any', () => {
    const a = { storage: ['text'], nullable: false, enumValues: ['b', 'a'] } as const;
    expect(unionType(a, { storage: ['text'], nullable: false, enumValues: ['c'] }).enumValues).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(unionType(a, { storage: ['text'], nullable: false }).enumValues).toBeUndefined();
    expect(unionType(a, { storage: 'any', nullable: false }).storage).toBe('any');
  });
});

describe('orNull', () => {
  it('should render null once and last', () => {
    expect(orNull('null | string', true)).toBe('string | null');
    expect(orNull('null | string', false)).toBe('string | null');
    expect(orNull('string | null | string', true)).toBe('string | null');
    expect(orNull("'x' | 'y'", true)).toBe("'x' | 'y' | null");
  });

  it('should keep member order, leave non-nullable types alone and unknown as it is', () => {
    expect(orNull('number | bigint', false)).toBe('number | bigint');
    expect(orNull('number | bigint', true)).toBe('number | bigint | null');
    expect(orNull('unknown', true)).toBe('unknown');
    expect(orNull('null', true)).toBe('null');
  });
});
