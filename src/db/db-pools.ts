import type { DbWriteOptions } from './db-open-options.js';
import { DbReadConnection } from './db-read-connection.js';
import { DbWriteConnection } from './db-write-connection.js';
import { loadMigrations } from './migration.js';

/**
 * Both sides of one database for a process that reads and writes (the host). Helpers that both read
 * and write take a `DbPools`; helpers that only read take `pools.read`, helpers that only write take
 * `pools.write`.
 *
 * @example
 * ```ts
 * const pools = await DbPools.open(dbPathFor(msbHome()));
 * const record = loadSandboxRecord(pools.read, { name: 'web' });
 * await updateSandboxStatus(pools.write, { id: record!.id, status: 'Stopped' });
 * await pools.close();
 * ```
 */
export class DbPools {
  /** The synchronous read-only connection. */
  readonly read: DbReadConnection;
  /** The process's one writer. */
  readonly write: DbWriteConnection;

  private constructor(read: DbReadConnection, write: DbWriteConnection) {
    this.read = read;
    this.write = write;
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
  static async open(path: string, options: DbWriteOptions = {}): Promise<DbPools> {
    const migrations = options.migrations === undefined ? loadMigrations() : options.migrations;
    const write = await DbWriteConnection.open(path, { ...options, migrations });
    try {
      const read = await DbReadConnection.open(path, { ...options, migrations, connectTimeoutMs: 0 });
      return new DbPools(read, write);
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
    await this.write.close();
    if (this.read.open) this.read.close();
  }
}
