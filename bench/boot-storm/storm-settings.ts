import { parseArgs } from 'node:util';

/**
 * The three ways of booting a storm: the typed design, the naive port, no database at all.
 *
 * @example
 * ```ts
 * const mode: StormMode = 'naive';
 * ```
 */
export type StormMode = 'typed' | 'naive' | 'none';

const MODES: readonly StormMode[] = ['typed', 'naive', 'none'];
const DEFAULT_COUNTS = [50, 200] as const;
const FULL_COUNTS = [50, 200, 500] as const;

/**
 * The fixed settings of every storm, the same in all three modes.
 *
 * 1. `readyTimeoutMs`: how long a boot waits for its runtime's ready report (the host's default is
 *    30 s; a storm of 200 fresh Node processes on 2 shared cores can take longer than that to schedule,
 *    and a timeout would measure the machine, not the database).
 * 2. `stopTimeoutMs`: how long a stop waits for the exit to be recorded before SIGKILL.
 * 3. `workload`: what every sandbox runs (killed at stop); `metricsIntervalMs`: its sampling period.
 *
 * @example
 * ```ts
 * await createSandbox(pools, { home, name, readyTimeoutMs: STORM_SETTINGS.readyTimeoutMs });
 * ```
 */
export const STORM_SETTINGS = Object.freeze({
  readyTimeoutMs: 120_000,
  stopTimeoutMs: 60_000,
  workload: Object.freeze({ command: 'sleep', args: Object.freeze(['3600']) }),
  metricsIntervalMs: 1000,
});

/**
 * The benchmark's command line.
 *
 * @example
 * ```ts
 * const args: StormArgs = { counts: [50, 200], reps: 3, holdSecs: 3, modes: ['typed', 'naive', 'none'] };
 * ```
 */
export interface StormArgs {
  /** Storm sizes, each run `reps` times per mode. */
  readonly counts: readonly number[];
  readonly reps: number;
  readonly holdSecs: number;
  readonly modes: readonly StormMode[];
}

/**
 * A bad command line of the boot-storm benchmark; the message names the argument.
 *
 * @example
 * ```ts
 * throw new StormArgsError('--count must be a whole number >= 1, got "x"');
 * ```
 */
export class StormArgsError extends Error {
  override readonly name = 'StormArgsError';
  readonly code = 'INVALID_ARGUMENT';
}

/**
 * Parses `[--count <n>[,<n>…]] [--full] [--reps <r>] [--hold-secs <s>] [--modes typed,naive,none]`.
 * Defaults: counts 50 and 200 (`--full` adds 500), 3 repetitions, hold 3 s, all three modes. A malformed
 * number, an unknown or repeated mode is a {@link StormArgsError} naming the argument.
 *
 * @example
 * ```ts
 * parseStormArgs(['--count', '20', '--reps', '1', '--modes', 'typed,none']);
 * // { counts: [20], reps: 1, holdSecs: 3, modes: ['typed', 'none'] }
 * ```
 */
export function parseStormArgs(argv: readonly string[]): StormArgs {
  let values: { count?: string; full?: boolean; reps?: string; 'hold-secs'?: string; modes?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        count: { type: 'string' },
        full: { type: 'boolean' },
        reps: { type: 'string' },
        'hold-secs': { type: 'string' },
        modes: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new StormArgsError(`bench:storm arguments: ${(err as Error).message}`);
  }
  if (values.count !== undefined && values.full === true) {
    throw new StormArgsError('--count and --full exclude each other (--full runs 50, 200 and 500)');
  }
  const counts =
    values.count === undefined
      ? [...(values.full === true ? FULL_COUNTS : DEFAULT_COUNTS)]
      : values.count.split(',').map((text) => wholeNumber(text, '--count', 1));
  const reps = values.reps === undefined ? 3 : wholeNumber(values.reps, '--reps', 1);
  const holdSecs = values['hold-secs'] === undefined ? 3 : wholeNumber(values['hold-secs'], '--hold-secs', 0);
  const modes = (values.modes ?? MODES.join(',')).split(',').map((m) => m.trim());
  for (const [i, mode] of modes.entries()) {
    if (!MODES.includes(mode as StormMode)) {
      throw new StormArgsError(`--modes: unknown mode "${mode}" (valid: ${MODES.join(', ')})`);
    }
    if (modes.indexOf(mode) !== i) throw new StormArgsError(`--modes: mode "${mode}" is given twice`);
  }
  return { counts, reps, holdSecs, modes: modes as StormMode[] };
}

function wholeNumber(text: string, flag: string, min: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < min) {
    throw new StormArgsError(`${flag} must be a whole number >= ${min}, got ${JSON.stringify(text)}`);
  }
  return value;
}

// What the naive host and the naive runtime share. Bundled into `naive-runtime.ts` and
// `../db-storm-worker.ts`, so it imports nothing.

/**
 * The statements of the naive port, copied from `queries/*.sql` so both ports run the same SQL steps on
 * the same schema; only the way they are run differs (raw better-sqlite3, deferred `db.transaction`,
 * blocking `busy_timeout`, no retry).
 *
 * @example
 * ```ts
 * db.prepare(NAIVE_SQL.insertSandbox).get({ name: 'storm-1', config: '{}' });
 * ```
 */
export const NAIVE_SQL = {
  /** `resolveImage`: the manifest and OCI config an image reference names. */
  selectImage: `SELECT manifest.id AS manifest_id, manifest.digest, config.env, config.cmd, config.entrypoint, config.working_dir
    FROM image_ref
    JOIN manifest ON manifest.id = image_ref.manifest_id
    LEFT JOIN config ON config.manifest_id = manifest.id
    WHERE image_ref.reference = @reference`,
  selectSandboxByName: 'SELECT * FROM sandbox WHERE name = @name',
  insertSandbox: `INSERT INTO sandbox (name, config, status) VALUES (@name, @config, 'Running') RETURNING *`,
  upsertOciManifestPin: `INSERT INTO sandbox_rootfs (sandbox_id, manifest_id, mode)
    VALUES (@sandbox_id, (SELECT id FROM manifest WHERE digest = @digest), 'Oci')
    ON CONFLICT (sandbox_id) DO UPDATE SET manifest_id = excluded.manifest_id, mode = excluded.mode
    RETURNING id, sandbox_id, manifest_id, mode, created_at`,
  selectActiveRun: `SELECT * FROM run WHERE sandbox_id = @sandbox_id AND status = 'Running'
    ORDER BY started_at DESC, id DESC LIMIT 1`,
  selectRunById: 'SELECT * FROM run WHERE id = @id',
  markSandboxStoppedIfActive: `UPDATE sandbox
    SET status = 'Stopped', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = @id AND status IN ('Running', 'Draining')`,
  terminateActiveRun: `UPDATE run
    SET status = 'Terminated', termination_reason = @termination_reason,
        termination_detail = @termination_detail, exit_code = @exit_code, exit_signal = @exit_signal,
        terminated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = @id AND status = 'Running'`,
  selectRuntimeSandbox: 'SELECT id, name, config, status FROM sandbox WHERE name = @name',
  insertRuntimeRun: `INSERT INTO run (sandbox_id, pid, status) VALUES (@sandbox_id, @pid, 'Running')`,
  markRuntimeSandboxRunning: `UPDATE sandbox
    SET status = 'Running', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = @id`,
  finishRuntimeRun: `UPDATE run
    SET status = 'Terminated', termination_reason = @termination_reason,
        termination_detail = @termination_detail, exit_code = @exit_code, exit_signal = @exit_signal,
        terminated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = @id AND status = 'Running'`,
  markRuntimeSandboxStopped: `UPDATE sandbox
    SET status = 'Stopped', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = @id
      AND NOT EXISTS (
        SELECT 1 FROM run WHERE run.sandbox_id = @id AND run.status = 'Running' AND run.id <> @run_id
      )`,
  /** The typed runtime's InsertRuntimeMetricIfWanted: the run-still-wanted test is part of the insert. */
  insertRuntimeMetric: `INSERT INTO sandbox_metric (
      sandbox_id, cpu_percent, memory_bytes, disk_read_bytes, disk_write_bytes, net_rx_bytes, net_tx_bytes
    )
    SELECT run.sandbox_id, @cpu_percent, @memory_bytes, @disk_read_bytes, @disk_write_bytes, @net_rx_bytes,
      @net_tx_bytes
    FROM run
    JOIN sandbox ON sandbox.id = run.sandbox_id
    WHERE run.id = @run_id AND run.status = 'Running' AND sandbox.status NOT IN ('Stopped', 'Crashed')`,
} as const;

/**
 * What a naive runtime met during its life, written as JSON to {@link NAIVE_STATS_FILE} in its sandbox
 * directory when it exits (on every path), so the bench host can count the `SQLITE_BUSY` errors that a
 * runtime without retries surfaces after its ready report, when no one is listening to it any more.
 *
 * @example
 * ```ts
 * const stats: NaiveRuntimeStats = { busyErrors: 1, samplesStored: 3, samplesFailed: 1, exitRecorded: true, errors: [] };
 * ```
 */
export interface NaiveRuntimeStats {
  /** Statements or transactions that failed with `SQLITE_BUSY*` (each one a lost write). */
  readonly busyErrors: number;
  readonly samplesStored: number;
  readonly samplesFailed: number;
  /** Whether the run's end and the sandbox's Stopped status were committed. */
  readonly exitRecorded: boolean;
  /** The first few distinct error messages, for the report. */
  readonly errors: readonly string[];
}

/** The name of the stats file in a naive runtime's sandbox directory. */
export const NAIVE_STATS_FILE = 'naive-runtime-stats.json';

/**
 * The exit code of a naive runtime that recorded its workload's end but met `SQLITE_BUSY` on the way
 * (a lost sample): distinct from 0 (clean) and 1 (failed before or during the start).
 */
export const NAIVE_BUSY_EXIT_CODE = 3;
