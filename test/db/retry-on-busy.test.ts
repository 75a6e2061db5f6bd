import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  DbBusyError,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  resolveRetryPolicy,
  retryOnBusy,
} from '../../src/db/index.js';

const { SqliteError } = Database;

function busy(): InstanceType<typeof SqliteError> {
  return new SqliteError('database is locked', 'SQLITE_BUSY');
}

describe('retryOnBusy', () => {
  it('should retry busy failures and return the first success', async () => {
    const attempts: number[] = [];
    const delays: number[] = [];
    const result = await retryOnBusy(
      (attempt) => {
        attempts.push(attempt);
        if (attempt < 4) throw busy();
        return `done on ${attempt}`;
      },
      { baseDelayMs: 1, maxDelayMs: 4, budgetMs: 1_000 },
      { onRetry: (_attempt, _err, delayMs) => delays.push(delayMs) },
    );
    expect(result).toBe('done on 4');
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(delays).toHaveLength(3);
    // Full jitter: each sleep is within 0 .. min(cap, base * 2^(n-1)).
    expect(delays[0]).toBeLessThanOrEqual(1);
    expect(delays[1]).toBeLessThanOrEqual(2);
    expect(delays[2]).toBeLessThanOrEqual(4);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(0);
  });

  it('should await an async function and retry its busy rejection', async () => {
    let calls = 0;
    const value = await retryOnBusy(
      async () => {
        calls++;
        await Promise.resolve();
        if (calls === 1) throw new Error('wrapped', { cause: busy() });
        return 42;
      },
      { baseDelayMs: 0, maxDelayMs: 0, budgetMs: 1_000 },
    );
    expect(value).toBe(42);
    expect(calls).toBe(2);
  });

  it('should rethrow a non-busy error unchanged on the first attempt', async () => {
    const constraint = new SqliteError('UNIQUE constraint failed: t.x', 'SQLITE_CONSTRAINT_UNIQUE');
    let calls = 0;
    const rejection = retryOnBusy(() => {
      calls++;
      throw constraint;
    }, DEFAULT_RETRY_POLICY);
    await expect(rejection).rejects.toBe(constraint);
    expect(calls).toBe(1);
  });

  it('should rethrow SQLITE_LOCKED without retrying it', async () => {
    const locked = new SqliteError('database table is locked', 'SQLITE_LOCKED');
    let calls = 0;
    await expect(
      retryOnBusy(() => {
        calls++;
        throw locked;
      }),
    ).rejects.toBe(locked);
    expect(calls).toBe(1);
  });

  it('should give up with DbBusyError after the budget and never sleep past it', async () => {
    const policy: RetryPolicy = { baseDelayMs: 20, maxDelayMs: 80, budgetMs: 150 };
    const last = busy();
    const sleepsEndAt: number[] = [];
    let calls = 0;
    const started = performance.now();
    const err = await retryOnBusy(
      () => {
        calls++;
        throw calls === 1 ? busy() : last;
      },
      policy,
      { onRetry: (_a, _e, delayMs) => sleepsEndAt.push(performance.now() - started + delayMs) },
    ).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(err).toBeInstanceOf(DbBusyError);
    const busyErr = err as DbBusyError;
    expect(busyErr.code).toBe('DB_BUSY');
    expect(busyErr.attempts).toBe(calls);
    expect(busyErr.attempts).toBeGreaterThan(1);
    expect(busyErr.cause).toBe(last);
    expect(busyErr.elapsedMs).toBeGreaterThanOrEqual(policy.budgetMs);
    expect(busyErr.message).toMatch(/stayed busy for \d+ ms over \d+ attempts \(last: SQLITE_BUSY/);
    // Each sleep is clipped to what is left of the budget (1 ms of slack: the hook runs a few µs after
    // the loop read the clock), so giving up happens right at its end, not a full backoff later.
    for (const end of sleepsEndAt) expect(end).toBeLessThanOrEqual(policy.budgetMs + 1);
    expect(elapsed).toBeLessThan(policy.budgetMs + 2_000);
  });

  it('should try exactly once with a zero budget', async () => {
    let calls = 0;
    const err = await retryOnBusy(
      () => {
        calls++;
        throw busy();
      },
      { baseDelayMs: 5, maxDelayMs: 100, budgetMs: 0 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbBusyError);
    expect((err as DbBusyError).attempts).toBe(1);
    expect(calls).toBe(1);
  });
});

describe('resolveRetryPolicy', () => {
  it('should fill in the measured defaults', () => {
    expect(resolveRetryPolicy()).toEqual({ baseDelayMs: 5, maxDelayMs: 100, budgetMs: 10_000 });
    expect(resolveRetryPolicy({ budgetMs: 300 })).toEqual({ baseDelayMs: 5, maxDelayMs: 100, budgetMs: 300 });
  });

  it('should refuse a bad field with a RangeError naming it', () => {
    expect(() => resolveRetryPolicy({ budgetMs: -1 })).toThrow(
      new RangeError('retry policy budgetMs must be a finite number >= 0, got -1'),
    );
    expect(() => resolveRetryPolicy({ maxDelayMs: Number.POSITIVE_INFINITY })).toThrow(/maxDelayMs/);
  });
});
