import { DbBusyError } from './db-busy-error.js';
import { isSqliteBusy } from './is-sqlite-busy.js';
import { monotonicMs } from './monotonic-ms.js';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';

/**
 * Observes a retry loop; the benchmark and the CLI count retries through it.
 *
 * @example
 * ```ts
 * const hooks: RetryHooks = { onRetry: (attempt, err, delayMs) => log(attempt, delayMs) };
 * ```
 */
export interface RetryHooks {
  /** Called after a busy failure, before sleeping `delayMs`. */
  onRetry?(attempt: number, error: unknown, delayMs: number): void;
}

/**
 * Runs `fn` until it succeeds, retrying busy failures with async backoff.
 *
 * 1. `fn(attempt)` is called with the 1-based attempt number.
 * 2. An error that is not busy (see `isSqliteBusy`) is rethrown at once, unchanged.
 * 3. A busy error sleeps with `setTimeout` (never blocking the event loop) and tries again.
 * 4. A busy error after `policy.budgetMs` becomes a `DbBusyError` carrying the attempts, the elapsed
 *    time and the last error as `cause`.
 *
 * @example
 * ```ts
 * const pools = await retryOnBusy(() => DbPools.open(path), { ...DEFAULT_RETRY_POLICY, budgetMs: 30_000 });
 * ```
 */
export async function retryOnBusy<T>(
  fn: (attempt: number) => T | PromiseLike<T>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  hooks: RetryHooks = {},
): Promise<T> {
  const started = monotonicMs();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isSqliteBusy(err)) throw err;
      const elapsedMs = monotonicMs() - started;
      if (elapsedMs >= policy.budgetMs) throw new DbBusyError(attempt, elapsedMs, err);
      // Never sleep past the budget: the last attempt happens right at its end.
      const delayMs = Math.min(backoffDelayMs(policy, attempt), policy.budgetMs - elapsedMs);
      hooks.onRetry?.(attempt, err, delayMs);
      await sleep(delayMs);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
