import { DEFAULT_DB_CONFIG } from './db-config.js';
import type { DbWriteOptions } from './db-open-options.js';
import { DbReadConnection } from './db-read-connection.js';
import { DbReadPool } from './db-read-pool.js';
import { DbWriteConnection } from './db-write-connection.js';
import { resolveMigrations } from './migration.js';

/**
 * Options of {@link DbPools.open}: the writer's options plus the worker-thread read pool.
 *
 * @example
 * ```ts
 * const pools = await DbPools.open(path, { readPoolSize: 2, connectTimeoutMs: 5_000 });
 * ```
 */
export interface DbPoolsOptions extends DbWriteOptions {
  /** Worker threads of `readPool` (`max_connections`, default 5); they start on first use. */
  readonly readPoolSize?: number;
  /** The compiled module whose read functions `readPool` runs (default: the generated queries). */
  readonly readPoolModuleUrl?: string;
}

/**
 * Both sides of one database for a process that reads and writes (the host). Helpers that both read
 * and write take a `DbPools`; helpers that only read take `pools.read`, helpers that only write take
 * `pools.write`.
 *
 * @example
 * ```ts
 * const pools = await DbPools.open(dbPathFor(msbHome()));
 * const record = selectSandboxByName(pools.read, { name: 'web' });
 * await setSandboxStatus(pools.write, { id: record!.id, status: 'Stopped' });
 * await pools.close();
 * ```
 */
export class DbPools {
  /** The synchronous read-only connection. */
  readonly read: DbReadConnection;
  /** The process's one writer. */
  readonly write: DbWriteConnection;
  /** Read-only connections on worker threads, for reads that must not stall the event loop. */
  readonly readPool: DbReadPool;

  private constructor(read: DbReadConnection, write: DbWriteConnection, readPool: DbReadPool) {
    this.read = read;
    this.write = write;
    this.readPool = readPool;
  }

  /**
   * Opens the writer first (so the file exists in WAL mode before any reader connects), applies the
   * migrations through it, then opens the read side.
   *
   * @example
   * ```ts
   * const pools = await DbPools.open('/tmp/msb.db', { connectTimeoutMs: 5_000 });
   * ```
   */
  static async open(path: string, options: DbPoolsOptions = {}): Promise<DbPools> {
    // Built first so a bad size fails before any file is touched; it holds nothing until its first run.
    const readPool = new DbReadPool(path, {
      size: options.readPoolSize ?? DEFAULT_DB_CONFIG.maxConnections,
      moduleUrl: options.readPoolModuleUrl ?? generatedIndexUrl(),
      ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
    });
    const migrations = resolveMigrations(options.migrations);
    const write = await DbWriteConnection.open(path, { ...options, migrations });
    try {
      const read = await DbReadConnection.open(path, { ...options, migrations, connectTimeoutMs: 0 });
      return new DbPools(read, write, readPool);
    } catch (err) {
      await write.close();
      throw err;
    }
  }

  /**
   * Waits for queued writes, then closes both sides.
   *
   * @example
   * ```ts
   * await pools.close();
   * ```
   */
  async close(): Promise<void> {
    await this.readPool.close();
    await this.write.close();
    if (this.read.open) this.read.close();
  }
}

function generatedIndexUrl(): string {
  // A URL, not an import: src/db must not depend on the code generated on top of it. From the
  // TypeScript source (tests, tsx) the workers load the source too (see read-pool-worker-boot.mjs), so
  // the functions a caller imports are the ones the pool checks against.
  const relative = import.meta.url.endsWith('.ts') ? '../generated/index.ts' : '../generated/index.js';
  return new URL(relative, import.meta.url).href;
}
