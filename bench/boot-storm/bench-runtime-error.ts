/**
 * A bench runtime (naive or none) that did not report ready.
 *
 * `reportCode` is the code of its `failed` report (`SQLITE_BUSY` when the naive runtime met a busy
 * database before it was ready), or null when it died, hung or wrote garbage.
 *
 * @example
 * ```ts
 * if (err instanceof BenchRuntimeError && err.reportCode?.startsWith('SQLITE_BUSY')) runtimeBusy++;
 * ```
 */
export class BenchRuntimeError extends Error {
  override readonly name = 'BenchRuntimeError';
  readonly code = 'RUNTIME_START_FAILED';
  readonly reportCode: string | null;

  constructor(message: string, reportCode: string | null) {
    super(message);
    this.reportCode = reportCode;
  }
}
