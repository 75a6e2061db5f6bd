import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../scripts/codegen/unified-diff.js';
import { makeTempDir } from '../support/open-test-pools.js';

/** GNU diff's hunks for the same two texts (its file header lines dropped). */
function gnuDiff(before: string, after: string): string {
  const dir = makeTempDir('msb-diff-');
  writeFileSync(join(dir, 'a'), before);
  writeFileSync(join(dir, 'b'), after);
  const run = spawnSync('diff', ['-U3', join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8' });
  expect(run.status).toBe(before === after ? 0 : 1);
  return run.stdout.split('\n').slice(2).join('\n');
}

const base = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`);
const text = (lines: string[]): string => `${lines.join('\n')}\n`;

describe('unifiedDiff', () => {
  it('should be empty for equal texts', () => {
    expect(unifiedDiff('a', 'b', text(base), text(base))).toBe('');
  });

  const cases: [string, string[]][] = [
    ['one changed line', base.map((l, i) => (i === 10 ? 'changed' : l))],
    ['a line added at the start', ['first', ...base]],
    ['a line removed at the end', base.slice(0, -1)],
    ['two nearby changes merged into one hunk', base.map((l, i) => (i === 5 || i === 9 ? `${l}!` : l))],
    ['two distant changes in two hunks', base.map((l, i) => (i === 2 || i === 30 ? `${l}!` : l))],
    ['a block replaced by more lines', [...base.slice(0, 12), 'x', 'y', 'z', 'w', ...base.slice(15)]],
    ['everything replaced', ['only']],
  ];
  for (const [name, after] of cases) {
    it(`should produce the hunks GNU diff -U3 produces for ${name}`, () => {
      const ours = unifiedDiff('a', 'b', text(base), text(after));
      expect(ours.startsWith('--- a\n+++ b\n')).toBe(true);
      expect(ours.slice('--- a\n+++ b\n'.length)).toBe(gnuDiff(text(base), text(after)));
    });
  }
});
