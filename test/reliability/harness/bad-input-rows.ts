import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BadInputCase, judgeBadInput, runBadInput } from '../../support/bad-input.js';
import { killHomeProcesses } from './home-processes.js';

const RELIABILITY_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * One bad input tried and its answer: a row of the reliability table.
 *
 * @example
 * ```ts
 * const failing = rows.filter((r: BadInputRow) => r.result !== 'ok');
 * ```
 */
export interface BadInputRow {
  readonly area: string;
  readonly input: string;
  readonly exitCode: number | null;
  readonly expectedExitCode: number;
  /** `ok`, or what `judgeBadInput` found wrong. */
  readonly result: string;
  readonly ms: number;
}

/**
 * Every case of every `test/reliability/bad-inputs-<area>.ts` module, as the vitest suite finds them.
 *
 * @example
 * ```ts
 * const cases = await loadBadInputCases();
 * ```
 */
export async function loadBadInputCases(): Promise<BadInputCase[]> {
  const files = readdirSync(RELIABILITY_DIR).filter((f) => /^bad-inputs-[a-z-]+\.ts$/.test(f));
  const modules = await Promise.all(
    files.map((f) => import(join(RELIABILITY_DIR, f)) as Promise<{ cases: readonly BadInputCase[] }>),
  );
  return modules.flatMap((m) => m.cases);
}

/**
 * Runs every bad-input case, two at a time, each in a fresh directory removed afterwards (with whatever
 * process still points into it), and judges it as `bad-inputs.test.ts` does.
 *
 * @example
 * ```ts
 * const rows = await runBadInputCases((line) => process.stderr.write(`${line}\n`));
 * ```
 */
export async function runBadInputCases(progress: (line: string) => void = () => {}): Promise<BadInputRow[]> {
  const cases = await loadBadInputCases();
  const rows: BadInputRow[] = new Array(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < cases.length; i = next++) {
      const badCase = cases[i]!;
      const dir = mkdtempSync(join(tmpdir(), 'msb-rel-bad-'));
      try {
        const outcome = await runBadInput(dir, await badCase.prepare(dir));
        rows[i] = {
          area: badCase.area,
          input: badCase.name,
          exitCode: outcome.code,
          expectedExitCode: badCase.exitCode,
          result: judgeBadInput(badCase, outcome),
          ms: Math.round(outcome.ms),
        };
      } catch (err) {
        rows[i] = {
          area: badCase.area,
          input: badCase.name,
          exitCode: null,
          expectedExitCode: badCase.exitCode,
          result: `could not run: ${(err as Error).message}`,
          ms: 0,
        };
      } finally {
        await killHomeProcesses(dir);
        rmSync(dir, { recursive: true, force: true });
      }
      progress(`bad input ${i + 1}/${cases.length}: ${badCase.area}: ${badCase.name}: ${rows[i]!.result}`);
    }
  };
  await Promise.all([worker(), worker()]);
  return rows;
}
