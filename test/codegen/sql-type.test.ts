import { describe, expect, it } from 'vitest';
import { orNull, unionTs } from '../../scripts/codegen/sql-type.js';

describe('unionTs', () => {
  it('should drop the null member of a NULL literal next to any other member', () => {
    expect(unionTs('null', 'string')).toBe('string');
    expect(unionTs('string', 'null')).toBe('string');
    expect(unionTs(unionTs('string', 'null'), 'number')).toBe('number | string');
    expect(unionTs('null', 'null')).toBe('null');
  });

  it('should deduplicate and sort the members, widening literals to their base type', () => {
    expect(unionTs("'b' | 'a'", "'a'")).toBe("'a' | 'b'");
    expect(unionTs("'a'", 'string')).toBe('string');
    expect(unionTs('number', 'unknown')).toBe('unknown');
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
