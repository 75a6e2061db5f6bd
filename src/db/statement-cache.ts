import type { Database, Statement } from 'better-sqlite3';
import type { BindParams, RowMode, RunResult } from './sql-types.js';

const MODES: readonly RowMode[] = ['object', 'raw', 'pluck', 'object-bigint', 'raw-bigint', 'pluck-bigint'];

/**
 * Statements prepared once per connection and reused, one map per row mode so that a statement's
 * raw/pluck/safeIntegers switches are set once, at prepare time.
 */
export class StatementCache {
  readonly #db: Database;
  readonly #byMode = new Map<RowMode, Map<string, Statement>>(MODES.map((mode) => [mode, new Map()]));
  readonly #run = new Map<string, Statement>();
  readonly #runBigint = new Map<string, Statement>();

  constructor(db: Database) {
    this.#db = db;
  }

  get(sql: string, params: BindParams | undefined, mode: RowMode): unknown {
    const stmt = this.#reader(sql, mode);
    return params === undefined ? stmt.get() : stmt.get(params);
  }

  all(sql: string, params: BindParams | undefined, mode: RowMode): unknown[] {
    const stmt = this.#reader(sql, mode);
    return params === undefined ? stmt.all() : stmt.all(params);
  }

  run(sql: string, params: BindParams | undefined, bigint: boolean): RunResult {
    const cache = bigint ? this.#runBigint : this.#run;
    let stmt = cache.get(sql);
    if (stmt === undefined) {
      stmt = this.#db.prepare(sql);
      if (bigint) stmt.safeIntegers(true);
      cache.set(sql, stmt);
    }
    return params === undefined ? stmt.run() : stmt.run(params);
  }

  #reader(sql: string, mode: RowMode): Statement {
    const cache = this.#byMode.get(mode);
    if (cache === undefined) throw new TypeError(`unknown row mode ${JSON.stringify(mode)}`);
    let stmt = cache.get(sql);
    if (stmt === undefined) {
      stmt = this.#db.prepare(sql);
      if (mode.startsWith('raw')) stmt.raw(true);
      else if (mode.startsWith('pluck')) stmt.pluck(true);
      if (mode.endsWith('-bigint')) stmt.safeIntegers(true);
      cache.set(sql, stmt);
    }
    return stmt;
  }
}
