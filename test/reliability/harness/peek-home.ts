import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeOutcome, type MsbOptions, runMsb } from './msb-process.js';

/**
 * One sandbox as the database shows it right now: its row, how many runs it has, its Running run.
 *
 * @example
 * ```ts
 * const { row, runs } = peekSandbox(home, 'web');
 * ```
 */
export interface SandboxPeek {
  readonly row: { readonly id: number; readonly status: string } | undefined;
  readonly runs: number;
  readonly runningRun: { readonly id: number; readonly pid: number } | undefined;
  readonly dirExists: boolean;
}

/**
 * Reads one sandbox's row and runs (read-only, while others write), and whether its directory exists.
 *
 * @example
 * ```ts
 * expect(peekSandbox(home, 'web').row?.status).toBe('Running');
 * ```
 */
export function peekSandbox(home: string, name: string): SandboxPeek {
  const dirExists = existsSync(join(home, 'sandboxes', name));
  const path = join(home, 'db', 'msb.db');
  if (!existsSync(path)) return { row: undefined, runs: 0, runningRun: undefined, dirExists };
  const db = new Database(path, { readonly: true });
  try {
    db.pragma('busy_timeout = 5000');
    const row = db.prepare('SELECT id, status FROM sandbox WHERE name = ?').get(name) as
      | SandboxPeek['row']
      | undefined;
    if (row === undefined) return { row, runs: 0, runningRun: undefined, dirExists };
    const runs = db.prepare('SELECT count(*) FROM run WHERE sandbox_id = ?').pluck().get(row.id) as number;
    const runningRun = db
      .prepare("SELECT id, pid FROM run WHERE sandbox_id = ? AND status = 'Running' ORDER BY id DESC")
      .get(row.id) as SandboxPeek['runningRun'];
    return { row, runs, runningRun, dirExists };
  } finally {
    db.close();
  }
}

/**
 * Runs a setup command that must succeed (a scenario's preparation, not the fault): anything but exit 0
 * throws, naming the command.
 *
 * @example
 * ```ts
 * await mustRun(home, ['create', 'a', '--', 'sleep', '600']);
 * ```
 */
export async function mustRun(
  home: string,
  args: readonly string[],
  options: MsbOptions = {},
): Promise<string> {
  const outcome = await runMsb(home, args, options);
  if (outcome.code !== 0) {
    throw new Error(`setup step "msb ${args.join(' ')}" failed: ${describeOutcome(outcome)}`);
  }
  return outcome.stdout;
}
