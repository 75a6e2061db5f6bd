/**
 * How a busy database is retried: full-jitter exponential backoff inside a time budget.
 *
 * Attempt `n` (1-based) that fails busy sleeps a random `0 .. min(maxDelayMs, baseDelayMs * 2^(n-1))`
 * milliseconds. There is no attempt cap; once `budgetMs` has passed since the first attempt the next
 * busy failure ends the loop with a `DbBusyError`.
 *
 * @example
 * ```ts
 * const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, budgetMs: 2_000 };
 * ```
 */
export interface RetryPolicy {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly budgetMs: number;
}

/**
 * The measured defaults: base 5 ms, cap 100 ms, 10 s budget.
 *
 * @example
 * ```ts
 * await retryOnBusy(() => work(), DEFAULT_RETRY_POLICY);
 * ```
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  baseDelayMs: 5,
  maxDelayMs: 100,
  budgetMs: 10_000,
});

/**
 * Checks a policy and fills in the defaults, naming the first bad field.
 *
 * @example
 * ```ts
 * const policy = resolveRetryPolicy({ budgetMs: 500 });
 * ```
 */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...partial };
  for (const key of ['baseDelayMs', 'maxDelayMs', 'budgetMs'] as const) {
    const value = policy[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`retry policy ${key} must be a finite number >= 0, got ${String(value)}`);
    }
  }
  return Object.freeze(policy);
}

/** The sleep before retry number `attempt` (1-based), with full jitter. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.random() * ceiling;
}
