// `npm run conformance -- <sqlc checkout> [--json <file>] [--keep]`: converts sqlc's SQLite
// end-to-end cases into msb projects, runs msb's generator on each and reports what it accepts, the
// columns it types unknown and the names that differ from sqlc's generated Go. A report: exit 0 however
// many queries fail; 1 when it cannot run (bad checkout path), 2 for bad arguments.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildConformanceReport } from './conformance/conformance-report.js';
import { formatReport } from './conformance/format-report.js';

const USAGE = 'usage: npm run conformance -- <path to a sqlc checkout> [--json <file>] [--keep]';

function main(argv: readonly string[]): number {
  let checkout: string | undefined;
  let json: string | undefined;
  let keep = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--json') {
      json = argv[++i];
      if (json === undefined || json === '') return usage('--json needs a file path');
    } else if (arg === '--keep') keep = true;
    else if (arg.startsWith('-')) return usage(`unknown option ${arg}`);
    else if (checkout === undefined) checkout = resolve(arg);
    else return usage(`unexpected argument ${arg}`);
  }
  if (checkout === undefined) return usage('the sqlc checkout path is missing');
  const workDir = mkdtempSync(join(tmpdir(), 'msb-conformance-'));
  try {
    const report = buildConformanceReport(checkout, workDir);
    process.stdout.write(formatReport(report));
    if (json !== undefined) {
      writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
      process.stdout.write(`\nJSON report: ${resolve(json)}\n`);
    }
    if (keep) process.stdout.write(`converted projects kept in ${workDir}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`conformance: ${(err as Error).message}\n`);
    return 1;
  } finally {
    if (!keep) rmSync(workDir, { recursive: true, force: true });
  }
}

function usage(problem: string): number {
  process.stderr.write(`conformance: ${problem}\n${USAGE}\n`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
