import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

describe('golden expected outputs', () => {
  it('should compile under the strict base config with tsc', () => {
    // The main tsconfig excludes fixture outputs (biome and tsc would otherwise see them as sources);
    // this project includes exactly them, importing the real src/db.
    const tsc = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(ROOT, 'test/codegen/tsconfig.expected.json'),
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});
