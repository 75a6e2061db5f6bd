import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { isRuntimeAlive } from '../../../src/host/processes.js';
import { homeProcesses, runtimeProcesses } from './home-processes.js';
import { describeOutcome, runMsb } from './msb-process.js';

/**
 * How long a create or start waits for its runtime's ready report by default (`msb create --timeout`):
 * a sandbox left Running with no live runtime counts as stuck only once this much time has passed
 * since its last status change, and its stored start deadline (ready timeout + margin) has passed.
 */
export const READY_TIMEOUT_MS = 30_000;

/** What {@link checkInvariants} is told about the home it checks. */
export interface CheckOptions {
  /** Sandboxes committed before the fault that must still exist (else data was lost). */
  readonly mustExist?: readonly string[];
  /** Image references committed before the fault that must still exist. */
  readonly mustExistImages?: readonly string[];
  /** See {@link READY_TIMEOUT_MS}. */
  readonly readyTimeoutMs?: number;
}

/** A process left pointing into the home that no Running sandbox accounts for. */
export interface OrphanProcess {
  readonly pid: number;
  readonly argv: string;
  /** The sandbox whose directory is its working directory, or whose runtime it is. */
  readonly sandbox: string | null;
}

/**
 * The state of a home after a fault, the reaper and the ready timeout.
 *
 * @example
 * ```ts
 * const report: InvariantReport = await checkInvariants(home, { mustExist: ['a'] });
 * expect(invariantProblems(report)).toEqual([]);
 * ```
 */
export interface InvariantReport {
  /** `ok`, or what `PRAGMA integrity_check` (or opening the file) said. */
  readonly integrity: string;
  readonly foreignKeyViolations: number;
  /** Sandboxes Running or Draining with no live runtime once the ready timeout has passed. */
  readonly runningWithoutRuntime: readonly string[];
  /** Directories under `sandboxes/` that no row names. */
  readonly leftoverDirs: readonly string[];
  /** Rows with no directory (reported; not a failure by itself). */
  readonly rowsWithoutDir: readonly string[];
  readonly orphanProcesses: readonly OrphanProcess[];
  /** Of `mustExist` and `mustExistImages`, what is gone. */
  readonly lost: readonly string[];
  /** `ok`, or which of `msb ls`, then create + stop + rm of a fresh sandbox, failed and how. */
  readonly nextCommand: string;
  /** Status of every sandbox at the end (before the fresh one). */
  readonly statuses: Readonly<Record<string, string>>;
  readonly waitedMs: number;
}

/**
 * Checks the invariants every fault must leave intact:
 * 1. `msb ls` runs the reaper; while a sandbox is Running or Draining without a live runtime, waits for
 *    a runtime still booting, or until the ready timeout has passed since its last change, then reaps
 *    again;
 * 2. `PRAGMA integrity_check` is ok and `foreign_key_check` empty;
 * 3. no sandbox is Running or Draining without a live runtime; no directory under `sandboxes/` lacks a
 *    row (rows without a directory are reported);
 * 4. no process points into the home (argv, cwd or `MSB_HOME`) unless it is in the process group of a
 *    live runtime of a Running sandbox;
 * 5. the rows committed before the fault still exist;
 * 6. the next commands work: `msb ls`, then create, stop and rm of a fresh sandbox, each exit 0.
 *
 * @example
 * ```ts
 * const report = await checkInvariants(home, { mustExist: ['a', 'b'] });
 * ```
 */
export async function checkInvariants(home: string, options: CheckOptions = {}): Promise<InvariantReport> {
  const dbPath = join(home, 'db', 'msb.db');
  const readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const began = performance.now();
  const nextProblems: string[] = [];

  const reap = async (): Promise<void> => {
    nextProblems.length = 0;
    const ls = await runMsb(home, ['ls']);
    if (ls.code !== 0) nextProblems.push(`msb ls: ${describeOutcome(ls)}`);
  };
  await reap();
  let reapedSinceBoot = true;
  for (;;) {
    const state = readState(dbPath);
    if (state === undefined || performance.now() - began > readyTimeoutMs + 10_000) break;
    const pending = state.sandboxes.filter((s) => isActive(s.status) && !hasLiveRuntime(state, s.id));
    if (pending.length === 0) break;
    // A runtime still booting decides for itself (claim or give up); the reaper is asked once it is done.
    if (pending.some((s) => runtimeProcesses(home, s.name).length > 0)) {
      reapedSinceBoot = false;
      await sleep(250);
      continue;
    }
    if (!reapedSinceBoot) {
      reapedSinceBoot = true;
      await reap();
      continue;
    }
    const waitMs =
      Math.max(
        ...pending.map(
          (s) =>
            (s.startDeadline === null
              ? Date.parse(s.updatedAt) + readyTimeoutMs
              : Math.max(Date.parse(s.startDeadline), Date.parse(s.updatedAt) + readyTimeoutMs)) + 1_000,
        ),
      ) - Date.now();
    if (waitMs <= 0) break;
    await sleep(waitMs);
    await reap();
  }
  const waitedMs = performance.now() - began;

  const state = readState(dbPath);
  const sandboxes = state?.sandboxes ?? [];
  const names = new Set(sandboxes.map((s) => s.name));
  const dirsPath = join(home, 'sandboxes');
  const dirs = existsSync(dirsPath) ? readdirSync(dirsPath) : [];
  const supervised = new Set(
    sandboxes
      .filter((s) => isActive(s.status))
      .flatMap((s) => state?.runs.filter((r) => r.sandboxId === s.id && r.status === 'Running') ?? [])
      .filter((r) => isRuntimeAlive(r.pid))
      .map((r) => r.pid),
  );
  const orphanProcesses = homeProcesses(home)
    .filter((p) => !supervised.has(p.pgid))
    .map((p) => ({ pid: p.pid, argv: p.argv.join(' ').slice(0, 300), sandbox: sandboxOf(home, p) }));
  const lost = [
    ...(options.mustExist ?? []).filter((n) => !names.has(n)).map((n) => `sandbox "${n}"`),
    ...(options.mustExistImages ?? [])
      .filter((r) => !(state?.imageRefs ?? []).includes(r))
      .map((r) => `image "${r}"`),
  ];
  const report = {
    integrity: state?.integrity ?? 'no database file',
    foreignKeyViolations: state?.foreignKeyViolations ?? 0,
    runningWithoutRuntime: sandboxes
      .filter((s) => isActive(s.status) && (state === undefined || !hasLiveRuntime(state, s.id)))
      .map((s) => s.name),
    leftoverDirs: dirs.filter((d) => !names.has(d)),
    rowsWithoutDir: [...names].filter((n) => !dirs.includes(n)),
    orphanProcesses,
    lost,
    statuses: Object.fromEntries(sandboxes.map((s) => [s.name, s.status])),
    waitedMs,
  };
  if (state?.error !== undefined) report.integrity = state.error;

  // Last: the fresh sandbox must not disturb what was just read.
  const fresh = `check-${process.pid}-${Math.floor(performance.now())}`;
  for (const args of [
    ['create', fresh, '--', 'sleep', '30'],
    ['stop', fresh],
    ['rm', fresh],
  ]) {
    if (nextProblems.length > 0) break;
    const outcome = await runMsb(home, args);
    if (outcome.code !== 0)
      nextProblems.push(`msb ${args.slice(0, 2).join(' ')}: ${describeOutcome(outcome)}`);
  }
  return { ...report, nextCommand: nextProblems.length === 0 ? 'ok' : nextProblems.join('; ') };
}

/**
 * The broken invariants of a report, one line each; empty when the home is sound.
 *
 * @example
 * ```ts
 * expect(invariantProblems(await checkInvariants(home))).toEqual([]);
 * ```
 */
export function invariantProblems(report: InvariantReport): string[] {
  const problems: string[] = [];
  if (report.integrity !== 'ok' && report.integrity !== 'no database file') {
    problems.push(`integrity_check: ${report.integrity}`);
  }
  if (report.foreignKeyViolations > 0) problems.push(`${report.foreignKeyViolations} foreign key violations`);
  for (const name of report.runningWithoutRuntime) {
    problems.push(`sandbox "${name}" left ${report.statuses[name]} without a live runtime`);
  }
  for (const dir of report.leftoverDirs) problems.push(`directory sandboxes/${dir} without a row`);
  for (const p of report.orphanProcesses) problems.push(`orphan process ${p.pid}: ${p.argv}`);
  for (const what of report.lost) problems.push(`lost ${what}`);
  if (report.nextCommand !== 'ok') problems.push(`next command failed: ${report.nextCommand}`);
  return problems;
}

interface SandboxState {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly updatedAt: string;
  /** When the sandbox's start is given up (schema 0003); null before that or for a foreign table. */
  readonly startDeadline: string | null;
}

interface HomeState {
  readonly sandboxes: readonly SandboxState[];
  readonly runs: readonly { sandboxId: number; pid: number; status: string }[];
  readonly imageRefs: readonly string[];
  readonly integrity: string;
  readonly foreignKeyViolations: number;
  readonly error?: string;
}

function readState(dbPath: string): HomeState | undefined {
  if (!existsSync(dbPath)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true });
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join('; ');
    const foreignKeyViolations = (db.pragma('foreign_key_check') as unknown[]).length;
    const hasTable = (name: string): boolean =>
      db!.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    return {
      integrity: integrity.slice(0, 300),
      foreignKeyViolations,
      sandboxes: hasTable('sandbox')
        ? (db
            .prepare('SELECT * FROM sandbox ORDER BY id')
            .all()
            .map((row) => {
              const r = row as Record<string, unknown>;
              return {
                id: r.id,
                name: r.name,
                status: r.status,
                updatedAt: r.updated_at,
                startDeadline: typeof r.start_deadline === 'string' ? r.start_deadline : null,
              };
            }) as SandboxState[])
        : [],
      runs: hasTable('run')
        ? (db.prepare('SELECT sandbox_id AS sandboxId, pid, status FROM run').all() as HomeState['runs'])
        : [],
      imageRefs: hasTable('image_ref')
        ? (db.prepare('SELECT reference FROM image_ref').pluck().all() as string[])
        : [],
    };
  } catch (err) {
    return {
      sandboxes: [],
      runs: [],
      imageRefs: [],
      integrity: 'unreadable',
      foreignKeyViolations: 0,
      error: `cannot read ${dbPath}: ${(err as Error).message}`,
    };
  } finally {
    db?.close();
  }
}

function isActive(status: string): boolean {
  return status === 'Running' || status === 'Draining';
}

function hasLiveRuntime(state: HomeState, sandboxId: number): boolean {
  return state.runs.some((r) => r.sandboxId === sandboxId && r.status === 'Running' && isRuntimeAlive(r.pid));
}

function sandboxOf(home: string, p: { argv: readonly string[]; cwd: string | null }): string | null {
  const flag = p.argv.indexOf('--sandbox');
  if (flag !== -1 && p.argv[flag + 1] !== undefined) return p.argv[flag + 1]!;
  const prefix = `${home}/sandboxes/`;
  if (p.cwd?.startsWith(prefix)) return p.cwd.slice(prefix.length).split('/')[0] ?? null;
  return null;
}
