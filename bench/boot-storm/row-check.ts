import Database from 'better-sqlite3';

/**
 * Rows expected vs found after a storm, one pair per kind.
 *
 * @example
 * ```ts
 * const ok = Object.values(rows).every(({ expected, found }) => found >= expected);
 * ```
 */
export interface RowCheck {
  readonly sandboxes: ExpectedFound;
  readonly stoppedSandboxes: ExpectedFound;
  /** Runs Terminated with an exit code or signal recorded. */
  readonly runsWithExit: ExpectedFound;
  /** Metric rows in total (expected: the minimum, `metricsPerSandbox` for every sandbox). */
  readonly metrics: ExpectedFound;
  /** Sandboxes that have at least the expected number of samples. */
  readonly sandboxesWithEnoughMetrics: ExpectedFound;
  /** `sandbox_rootfs` rows pinned to a stored manifest. */
  readonly rootfsPins: ExpectedFound;
}

/**
 * A count that was expected and the count found.
 *
 * @example
 * ```ts
 * const pins: ExpectedFound = { expected: 200, found: 200 };
 * ```
 */
export interface ExpectedFound {
  readonly expected: number;
  readonly found: number;
}

/**
 * Counts a storm's rows in the database at `dbPath` through a read-only connection of its own (the
 * check, not the storm: it runs once all runtimes are stopped).
 *
 * @example
 * ```ts
 * const rows = countStormRows(dbPathFor(home), { count: 200, metricsPerSandbox: 4 });
 * ```
 */
export function countStormRows(
  dbPath: string,
  expected: { readonly count: number; readonly metricsPerSandbox: number },
): RowCheck {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const count = (sql: string, params: Record<string, number> = {}): number =>
      db.prepare(sql).pluck().get(params) as number;
    const n = expected.count;
    return {
      sandboxes: { expected: n, found: count('SELECT count(*) FROM sandbox') },
      stoppedSandboxes: {
        expected: n,
        found: count("SELECT count(*) FROM sandbox WHERE status = 'Stopped'"),
      },
      runsWithExit: {
        expected: n,
        found: count(
          `SELECT count(*) FROM run WHERE status = 'Terminated'
             AND (exit_code IS NOT NULL OR exit_signal IS NOT NULL)`,
        ),
      },
      metrics: {
        expected: n * expected.metricsPerSandbox,
        found: count('SELECT count(*) FROM sandbox_metric'),
      },
      sandboxesWithEnoughMetrics: {
        expected: n,
        found: count(
          `SELECT count(*) FROM (
             SELECT sandbox_id FROM sandbox_metric GROUP BY sandbox_id HAVING count(*) >= @min
           )`,
          { min: expected.metricsPerSandbox },
        ),
      },
      rootfsPins: {
        expected: n,
        found: count('SELECT count(*) FROM sandbox_rootfs WHERE manifest_id IS NOT NULL'),
      },
    };
  } finally {
    db.close();
  }
}
