import { describe, expect, it } from 'vitest';
import { singular } from '../../scripts/codegen/singular.js';

describe('singular', () => {
  it('should make the last word of a plural table name singular', () => {
    expect(singular('users')).toBe('user');
    expect(singular('user_accounts')).toBe('user_account');
    expect(singular('categories')).toBe('category');
    expect(singular('boxes')).toBe('box');
    expect(singular('matches')).toBe('match');
    expect(singular('statuses')).toBe('status');
    expect(singular('aliases')).toBe('alias');
    expect(singular('indices')).toBe('index');
    expect(singular('People')).toBe('Person');
    expect(singular('team_children')).toBe('team_child');
  });

  it('should leave singular and uncountable names as they are', () => {
    for (const name of ['sandbox', 'status', 'address', 'analysis', 'metadata', 'series', 'image_ref', 'key'])
      expect(singular(name)).toBe(name);
  });
});
