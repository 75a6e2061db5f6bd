/**
 * Thrown when the database stayed busy for the whole retry budget. Nothing was committed.
 *
 * `cause` is the last `SqliteError` (or busy application error) seen, so `isSqliteBusy()` is true for it.
 *
 * @example
 * ```ts
 * try {
 *   await pools.write.transaction((tx) => insertRuntimeMetric(tx, sample));
 * } catch (err) {
 *   if (err instanceof DbBusyError) console.error(`gave up after ${err.attempts} attempts`);
 *   throw err;
 * }
 * ```
 */
export class DbBusyError extends Error {
  override readonly name = 'DbBusyError';
  readonly code = 'DB_BUSY';
  /** How many times the work was tried. */
  readonly attempts: number;
  /** Milliseconds from the first attempt to giving up. */
  readonly elapsedMs: number;

  constructor(attempts: number, elapsedMs: number, cause: unknown) {
    const last =
      cause instanceof Error
        ? `${(cause as { code?: string }).code ?? cause.name}: ${cause.message}`
        : String(cause);
    super(`database stayed busy for ${Math.round(elapsedMs)} ms over ${attempts} attempts (last: ${last})`, {
      cause,
    });
    this.attempts = attempts;
    this.elapsedMs = elapsedMs;
  }
}
