import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DbPools, DbWriteConnection, LEDGER_TABLE, loadMigrations } from '../../src/db/index.js';
import { buildSandboxConfig, insertSandboxRecord } from '../../src/host/create-sandbox.js';
import { launchSandboxRuntime } from '../../src/host/start-sandbox.js';
import { makeTempDir } from '../support/open-test-pools.js';

const INDEXES = `SELECT name, tbl_name FROM sqlite_schema WHERE type = 'index' ORDER BY name`;

/** A database left at schema version 1 (before 0002) by an older msb, holding sandboxes, runs, metrics, pins. */
async function databaseAtVersion1(): Promise<{ path: string; home: string; indexesAtV1: unknown[] }> {
  const home = makeTempDir();
  const path = join(home, 'db', 'msb.db');
  const v1 = await DbWriteConnection.open(path, { migrations: loadMigrations().slice(0, 1) });
  await v1.transaction((tx) => {
    for (const name of ['a', 'b', 'c']) {
      tx.run(`INSERT INTO sandbox (name, config, status) VALUES (@name, '{}', 'Stopped')`, { name });
    }
    tx.run(`DELETE FROM sandbox WHERE name = 'c'`);
    tx.run(`INSERT INTO run (sandbox_id, pid, status) VALUES (1, 100, 'Terminated'), (1, 101, 'Terminated')`);
    tx.run(`INSERT INTO run (sandbox_id, pid, status) VALUES (2, 200, 'Terminated')`);
    for (const sandboxId of [1, 1, 2]) {
      tx.run(
        `INSERT INTO sandbox_metric (sandbox_id, cpu_percent, memory_bytes, disk_read_bytes, disk_write_bytes,
           net_rx_bytes, net_tx_bytes) VALUES (@sandboxId, 1.5, 2, 3, 4, 5, 6)`,
        { sandboxId },
      );
    }
    tx.run(`INSERT INTO manifest (digest, media_type, config_digest, layer_count, total_size_bytes)
            VALUES ('sha256:m', 'application/vnd.oci.image.manifest.v1+json', 'sha256:c', 0, 0)`);
    tx.run(`INSERT INTO sandbox_rootfs (sandbox_id, manifest_id, mode) VALUES (1, 1, 'Oci'), (2, 1, 'Oci')`);
  });
  await v1.close();
  const plain = new Database(path, { readonly: true });
  const indexesAtV1 = plain.prepare(INDEXES).all();
  plain.close();
  return { path, home, indexesAtV1 };
}

function count(pools: DbPools, table: string): number {
  return pools.read.get<number>(`SELECT count(*) FROM ${table}`, undefined, 'pluck')!;
}

describe('schema 0002 (sandbox and run ids never reused)', () => {
  it('should migrate a version 1 database with rows, keeping every row, index, check and cascade', async () => {
    expect.assertions(13);
    const { path, indexesAtV1 } = await databaseAtVersion1();

    const pools = await DbPools.open(path, { connectTimeoutMs: 5_000 });
    onTestFinished(() => pools.close());

    expect(pools.read.all(`SELECT version, name FROM ${LEDGER_TABLE} ORDER BY version`)).toEqual([
      { version: 1, name: '0001_init.sql' },
      { version: 2, name: '0002_autoincrement_sandbox_run.sql' },
      { version: 3, name: '0003_sandbox_start_deadline.sql' },
      { version: 4, name: '0004_plan_indexes.sql' },
    ]);
    expect(pools.read.all('PRAGMA foreign_key_check')).toEqual([]);
    expect(pools.read.get('PRAGMA integrity_check', undefined, 'pluck')).toBe('ok');
    expect(['sandbox', 'run', 'sandbox_metric', 'sandbox_rootfs'].map((t) => count(pools, t))).toEqual([
      2, 3, 3, 2,
    ]);
    // Every index of version 1 is still there, beside the ones 0004 adds.
    const added = ['image_ref_manifest', 'run_running', 'run_sandbox_started', 'sandbox_running'];
    expect(pools.read.all<{ name: string }>(INDEXES).filter((i) => !added.includes(i.name))).toEqual(
      indexesAtV1,
    );
    expect(pools.read.all('SELECT name, seq FROM sqlite_sequence ORDER BY name')).toEqual([
      { name: 'run', seq: 3 },
      { name: 'sandbox', seq: 2 },
    ]);
    expect(
      pools.read.all<string>(
        `SELECT name FROM sqlite_schema WHERE sql LIKE '%_0001%' ORDER BY name`,
        undefined,
        'pluck',
      ),
    ).toEqual([]);
    // The CHECK enums survived the rebuild.
    await expect(
      pools.write.transaction((tx) =>
        tx.run(`INSERT INTO sandbox (name, config, status) VALUES ('x', '{}', 'Bogus')`),
      ),
    ).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_CHECK' });
    // The image pin still restricts deleting its manifest (SQLite reports RESTRICT as a trigger constraint).
    await expect(pools.write.transaction((tx) => tx.run('DELETE FROM manifest'))).rejects.toMatchObject({
      code: 'SQLITE_CONSTRAINT_TRIGGER',
      message: 'FOREIGN KEY constraint failed',
    });

    // Deleting a sandbox still cascades to its runs, metrics and pin.
    await pools.write.transaction((tx) => tx.run(`DELETE FROM sandbox WHERE name = 'a'`));
    expect(['run', 'sandbox_metric', 'sandbox_rootfs'].map((t) => count(pools, t))).toEqual([1, 1, 1]);

    // The highest ids are deleted, and still not handed out again.
    await pools.write.transaction((tx) => tx.run(`DELETE FROM sandbox WHERE name = 'b'`));
    expect(count(pools, 'run')).toBe(0);
    const newId = await pools.write.transaction(
      (tx) =>
        tx.run(`INSERT INTO sandbox (name, config, status) VALUES ('b', '{}', 'Running')`).lastInsertRowid,
    );
    const newRunId = await pools.write.transaction(
      (tx) =>
        tx.run(`INSERT INTO run (sandbox_id, pid, status) VALUES (@newId, 1, 'Running')`, { newId })
          .lastInsertRowid,
    );
    expect(Number(newId)).toBe(3);
    expect(Number(newRunId)).toBe(4);
  });

  it('should refuse a runtime started for a replaced sandbox even when the new row reuses the name', async () => {
    const { path, home } = await databaseAtVersion1();
    const pools = await DbPools.open(path, { connectTimeoutMs: 5_000 });
    onTestFinished(() => pools.close());
    const config = buildSandboxConfig({ name: 'web', command: 'sleep', args: ['33.1'] });
    const old = await insertSandboxRecord(pools.write, { name: 'web', config });
    await pools.write.transaction((tx) => tx.run('DELETE FROM sandbox WHERE id = @id', { id: old.id }));
    const fresh = await insertSandboxRecord(pools.write, { name: 'web', config });

    // The stale runtime of the deleted row: with ids reused it would have taken over the new sandbox.
    const stale = launchSandboxRuntime(pools.write, old, { home, readyTimeoutMs: 20_000 });

    await expect(stale).rejects.toMatchObject({ name: 'HostError', code: 'RUNTIME_START_FAILED' });
    await expect(stale).rejects.toThrow(/SANDBOX_NOT_FOUND/);
    expect(fresh.id).toBeGreaterThan(old.id);
    expect(
      pools.read.get(
        'SELECT count(*) FROM run WHERE pid <> 100 AND pid <> 101 AND pid <> 200',
        undefined,
        'pluck',
      ),
    ).toBe(0);
    expect(pools.read.get('SELECT status FROM sandbox WHERE id = @id', { id: fresh.id }, 'pluck')).toBe(
      'Running',
    );
  });
});
