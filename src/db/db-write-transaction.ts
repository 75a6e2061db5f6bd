import { assertInternal, type INTERNAL } from './internal.js';
import type { BindParams, RowMode, RunResult } from './sql-types.js';
import type { StatementCache } from './statement-cache.js';

/** Mutable state the writer shares with one handle, so it can end the handle's life. */
export interface TransactionState {
  active: boolean;
}

/**
 * The handle passed to a `DbWriteConnection.transaction()` body: reads and writes inside the writer's
 * `BEGIN IMMEDIATE`. Both `:read` and `:write` generated functions accept it, synchronously.
 *
 * Using the handle after its transaction ended (committed or rolled back) throws a `TypeError`.
 *
 * @example
 * ```ts
 * await pools.write.transaction((tx) => {
 *   const record = selectSandboxByName(tx, { name: 'web' });
 *   if (record !== undefined) setSandboxStatus(tx, { id: record.id, status: 'Stopped' });
 * });
 * ```
 */
export class DbWriteTransaction {
  readonly #cache: StatementCache;
  readonly #state: TransactionState;

  /** @internal Handed out by `DbWriteConnection.transaction()`. */
  constructor(token: typeof INTERNAL, cache: StatementCache, state: TransactionState) {
    assertInternal(token, 'DbWriteTransaction');
    this.#cache = cache;
    this.#state = state;
  }

  /** Whether the transaction is still open. */
  get active(): boolean {
    return this.#state.active;
  }

  /**
   * Runs a cached statement and returns its first row, or `undefined`.
   *
   * @example
   * ```ts
   * const n = tx.get<number>('SELECT count(*) FROM run', undefined, 'pluck');
   * ```
   */
  get<R>(sql: string, params?: BindParams, mode: RowMode = 'object'): R | undefined {
    this.#assertActive();
    return this.#cache.get(sql, params, mode) as R | undefined;
  }

  /**
   * Runs a cached statement and returns every row.
   *
   * @example
   * ```ts
   * const rows = tx.all<{ id: number }>('SELECT id FROM sandbox');
   * ```
   */
  all<R>(sql: string, params?: BindParams, mode: RowMode = 'object'): R[] {
    this.#assertActive();
    return this.#cache.all(sql, params, mode) as R[];
  }

  /**
   * Runs a cached write statement. A statement with `RETURNING` runs too, and its rows are discarded:
   * SQLite makes every change on the statement's first step, so `changes` counts them all.
   *
   * @example
   * ```ts
   * const { changes } = tx.run('DELETE FROM sandbox WHERE id = @id', { id: 1 });
   * ```
   */
  run(sql: string, params?: BindParams, bigint = false): RunResult {
    this.#assertActive();
    return this.#cache.run(sql, params, bigint);
  }

  #assertActive(): void {
    if (!this.#state.active) {
      throw new TypeError('transaction handle used after its transaction ended (committed or rolled back)');
    }
  }
}
