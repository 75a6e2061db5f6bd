import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { BadInputRow } from './bad-input-rows.js';
import type { ScenarioResult } from './scenario-result.js';

export const TABLE_START = '<!-- reliability-table:start -->';
export const TABLE_END = '<!-- reliability-table:end -->';

/**
 * The markdown table of a reliability run: one row per group of faults, then one per bad input.
 *
 * @example
 * ```ts
 * const markdown = renderReliabilityTable(rows, badInputs, 'Recorded … by `npm run reliability`.');
 * ```
 */
export function renderReliabilityTable(
  rows: readonly ScenarioResult[],
  badInputs: readonly BadInputRow[],
  caption: string,
): string {
  const header = [
    'Scenario',
    'Fault tried (where it landed)',
    'n',
    'Outcome',
    'Data lost',
    'Running without runtime',
    'Orphan processes',
    'Leftover dirs',
    'Next command',
    'Result',
  ];
  const lines = [caption, '', row(header), row(header.map(() => '---'))];
  for (const r of rows) {
    lines.push(
      row([
        r.scenario,
        r.detail,
        String(r.trials),
        r.outcomes,
        String(r.dataLost),
        String(r.runningWithoutRuntime),
        String(r.orphanProcesses),
        String(r.leftoverDirs),
        r.nextCommandWorks ? 'works' : 'FAILS',
        resultOf(r),
      ]),
    );
  }
  for (const b of badInputs) {
    lines.push(
      row([
        `bad input: ${b.area}`,
        b.input,
        '1',
        `exit ${b.exitCode ?? 'none'} (documented: ${b.expectedExitCode})`,
        '–',
        '–',
        '–',
        '–',
        '–',
        b.result === 'ok' ? 'ok' : `**FAIL**: ${b.result}`,
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Puts `table` between the reliability-table markers of the markdown file `path`, creating the file
 * (a title and the markers) if it does not exist; the prose around the markers is left as it is.
 *
 * @example
 * ```ts
 * writeReliabilityTable('docs/reliability.md', markdown);
 * ```
 */
export function writeReliabilityTable(path: string, table: string): void {
  const text = existsSync(path)
    ? readFileSync(path, 'utf8')
    : `# Reliability\n\n${TABLE_START}\n${TABLE_END}\n`;
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  if (start === -1 || end < start) throw new Error(`${path} lacks the ${TABLE_START} … ${TABLE_END} markers`);
  writeFileSync(path, `${text.slice(0, start + TABLE_START.length)}\n${table}${text.slice(end)}`);
}

function resultOf(r: ScenarioResult): string {
  if (r.outcomes.startsWith('not run')) return 'not run';
  if (r.ok) return 'ok';
  return `**FAIL**: ${condense(r.problems).join('; ')}`;
}

/** Problems with their sandbox names and pids taken out, counted: `sandbox … left Running … ×15`. */
function condense(problems: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const p of problems) {
    const key = p
      .replace(/sandbox "[^"]+"/g, 'a sandbox')
      .replace(/sandboxes\/[\w.-]+/g, 'sandboxes/…')
      .replace(/orphan process: .*runtime\/main\.js.*/, 'orphan process: a runtime')
      .replace(/orphan process: (?!a runtime).*/, 'orphan process: a workload')
      .replace(/\/tmp\/msb-rel-[^\s:]*/g, '…')
      .replace(/\s+/g, ' ')
      .slice(0, 240);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => (n === 1 ? key : `${key} ×${n}`));
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
}
