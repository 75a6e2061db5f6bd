import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { onTestFinished } from 'vitest';
import type { HandleSummary } from '../../src/cli/handle-summary.js';
import { signalRuntime } from '../../src/host/processes.js';
import { makeTempDir } from './open-test-pools.js';

/** The built CLI (`npm run build`), as the package's `bin` runs it. */
export const MSB_MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/**
 * What one `msb` invocation printed and how it exited.
 *
 * @example
 * ```ts
 * const { code, stdout }: MsbResult = await msb(home, ['ls', '--json']);
 * ```
 */
export interface MsbResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node dist/cli/main.js <args>` with `MSB_HOME=home` and resolves its exit code and output
 * (a non-zero exit is a result, not a rejection); the process is killed after `timeoutMs`.
 *
 * @example
 * ```ts
 * expect((await msb(home, ['create', 'a', '--', 'sleep', '60'])).code).toBe(0);
 * ```
 */
export function msb(home: string, args: readonly string[], timeoutMs = 60_000): Promise<MsbResult> {
  if (!existsSync(MSB_MAIN)) throw new Error(`${MSB_MAIN} does not exist: run "npm run build" first`);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [MSB_MAIN, ...args],
      { env: { ...process.env, MSB_HOME: home }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err !== null && typeof err.code !== 'number') {
          reject(err);
          return;
        }
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
      },
    );
  });
}

/**
 * A fresh `MSB_HOME`. When the test finishes, the process group of every runtime its database records
 * as Running or crashed is SIGKILLed (runtimes are detached and outlive the CLI, and a workload
 * outlives a runtime killed behind the host's back), then the directory goes.
 *
 * @example
 * ```ts
 * const home = newMsbHome();
 * ```
 */
export function newMsbHome(): string {
  const home = makeTempDir('msb-e2e-');
  onTestFinished(() => {
    for (const pid of runtimePids(home)) signalRuntime(pid, 'SIGKILL', 'group');
  });
  return home;
}

function runtimePids(home: string): number[] {
  const path = join(home, 'db', 'msb.db');
  if (!existsSync(path)) return [];
  const db = new Database(path, { readonly: true });
  try {
    // Only runs that may have left processes: live ones, and crashed ones whose workload outlived the
    // runtime. Ended runs are skipped: on a busy machine their pids (pid_max may be 32768) get reused.
    return db
      .prepare(
        "SELECT DISTINCT pid FROM run WHERE status = 'Running' OR termination_reason = 'InternalError'",
      )
      .pluck()
      .all() as number[];
  } finally {
    db.close();
  }
}

/**
 * A read-only connection to the home's database for assertions, closed when the test finishes.
 *
 * @example
 * ```ts
 * const db = openHomeDb(home);
 * db.prepare('SELECT status FROM sandbox').pluck().get();
 * ```
 */
export function openHomeDb(home: string): Database.Database {
  const db = new Database(join(home, 'db', 'msb.db'), { readonly: true });
  onTestFinished(() => {
    db.close();
  });
  return db;
}

/**
 * The rows of `msb ls --json`: the CLI's own {@link HandleSummary}, so the test reads what `ls` prints.
 *
 * @example
 * ```ts
 * const [row] = await lsJson(home);
 * ```
 */
export async function lsJson(home: string): Promise<HandleSummary[]> {
  const result = await msb(home, ['ls', '--json']);
  if (result.code !== 0) throw new Error(`msb ls --json exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as HandleSummary[];
}
