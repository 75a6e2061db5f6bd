import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BadInputCase, judgeBadInput, runBadInput } from '../support/bad-input.js';

// Each area's cases live in their own module (bad-inputs-<area>.ts).
const areas = readdirSync(new URL('.', import.meta.url)).flatMap(
  (f) => /^bad-inputs-([a-z-]+)\.ts$/.exec(f)?.[1] ?? [],
);
const modules = await Promise.all(
  areas.map((area) => import(`./bad-inputs-${area}.ts`) as Promise<{ cases: readonly BadInputCase[] }>),
);
const cases = modules.flatMap((m) => m.cases);

describe('bad inputs', () => {
  it('should name every case uniquely within its area', () => {
    const keys = cases.map((c) => `${c.area}: ${c.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.concurrent.for(cases.map((c) => [`${c.area}: ${c.name}`, c] as const))(
    'should answer %s with its documented exit code and a message naming the culprit',
    async ([, badCase]) => {
      // Not makeTempDir: its onTestFinished, called outside the test's own context, may attach to
      // another concurrent case and delete this home while msb runs in it.
      const dir = mkdtempSync(join(tmpdir(), 'msb-bad-'));
      try {
        const outcome = await runBadInput(dir, await badCase.prepare(dir));
        expect(judgeBadInput(badCase, outcome)).toBe('ok');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
