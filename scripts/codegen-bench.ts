/**
 * Measures the generator's wall time on a synthetic project of 250 queries over the domain schema:
 * `npm run codegen:bench` (runs the real CLI as a child process, 5 times, prints min and median).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeSyntheticQueries } from './codegen/synthetic-queries.js';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'msb-codegen-bench-'));
try {
  cpSync(join(root, 'schema'), join(dir, 'schema'), { recursive: true });
  mkdirSync(join(dir, 'queries'));
  const count = writeSyntheticQueries(join(dir, 'queries'), 250);
  writeFileSync(
    join(dir, 'sqlc.yaml'),
    [
      'version: "2"',
      'plugins: [{name: msb-ts, process: {cmd: tsx}}]',
      'sql:',
      '  - engine: sqlite',
      '    schema: schema',
      '    queries: queries',
      '    codegen: [{out: out, plugin: msb-ts, options: {db_import: ../db/index.js}}]',
      '',
    ].join('\n'),
  );
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    rmSync(join(dir, 'out'), { recursive: true, force: true });
    const start = performance.now();
    const child = spawnSync(
      join(root, 'node_modules/.bin/tsx'),
      [join(root, 'scripts/codegen.ts'), '--config', join(dir, 'sqlc.yaml')],
      {
        encoding: 'utf8',
      },
    );
    const ms = performance.now() - start;
    if (child.status !== 0) throw new Error(`codegen failed (${child.status}): ${child.stderr}`);
    runs.push(ms);
  }
  runs.sort((a, b) => a - b);
  const median = runs[Math.floor(runs.length / 2)] ?? 0;
  console.log(
    `codegen of ${count} queries (10 files): wall min ${(runs[0] ?? 0).toFixed(0)} ms, median ${median.toFixed(0)} ms over ${runs.length} runs`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
