import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentCache } from '../../scripts/codegen/content-cache.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'msb-content-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ContentCache', () => {
  it('should find a value only under the same salt and parts', () => {
    const cache = ContentCache.open('store', 'salt', dir);
    cache.set(['ab', 'c'], Buffer.from('value'));
    expect(cache.get(['ab', 'c'])?.toString()).toBe('value');
    // The parts are kept apart: the same characters split otherwise are another key.
    expect(cache.get(['a', 'bc'])).toBeUndefined();
    expect(cache.get(['abc'])).toBeUndefined();
    expect(ContentCache.open('store', 'other salt', dir).get(['ab', 'c'])).toBeUndefined();
  });

  it('should store nothing without a directory', () => {
    const cache = new ContentCache(undefined, 'salt');
    cache.set(['a'], Buffer.from('value'));
    expect(cache.get(['a'])).toBeUndefined();
  });

  it('should remove the older half of its entries past its limit', () => {
    const fill = ContentCache.open('store', 'salt', dir);
    for (let i = 0; i < ContentCache.LIMIT; i++) fill.set([String(i)], new Uint8Array());
    expect(readdirSync(join(dir, 'store'))).toHaveLength(ContentCache.LIMIT);
    // A new run prunes before its first write.
    ContentCache.open('store', 'salt', dir).set(['new'], new Uint8Array());
    expect(readdirSync(join(dir, 'store'))).toHaveLength(ContentCache.LIMIT / 2 + 1);
  });
});
