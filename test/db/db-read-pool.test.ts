import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DbPools, migration } from '../../src/db/index.js';
import { insertRuntimeMetric, summarizeMetrics } from '../../src/generated/index.js';
import { makeTempDir, openTestPools } from '../support/open-test-pools.js';

// The functions a pool may run live in a compiled module; here, a small one written by the test.
const MODULE = `
export function countRows(conn) { return conn.get('SELECT count(*) AS n FROM t', undefined, 'pluck'); }
export function rowsAbove(conn, params) { return conn.all('SELECT x FROM t WHERE x > @min ORDER BY x', params, 'pluck'); }
export function missingTable(conn) { return conn.get('SELECT * FROM nope'); }
export function writeThrough(conn) { return conn.get('INSERT INTO t (x) VALUES (1) RETURNING x'); }
export function spin(conn) {
  return conn.get('WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000000) SELECT count(*) FROM c', undefined, 'pluck');
}
`;

const AWAIT_READ_POOL = fileURLToPath(new URL('../fixtures/db/await-read-pool.mjs', import.meta.url));

const migrations = [
  migration('0001_t.sql', 'CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER NOT NULL) STRICT;'),
];

async function openPools(size = 2) {
  const dir = makeTempDir();
  const modulePath = join(dir, 'reads.mjs');
  writeFileSync(modulePath, MODULE);
  const module = (await import(pathToFileURL(modulePath).href)) as Record<
    string,
    (...args: never[]) => unknown
  >;
  const pools = await DbPools.open(join(dir, 'db', 'msb.db'), {
    migrations,
    readPoolSize: size,
    readPoolModuleUrl: pathToFileURL(modulePath).href,
  });
  await pools.write.transaction((tx) => {
    for (let x = 1; x <= 10; x++) tx.run('INSERT INTO t (x) VALUES (@x)', { x });
  });
  return { pools, module, dir };
}

describe('DbReadPool', () => {
  it('should run exported read functions on worker threads and return their results', async () => {
    const { pools, module } = await openPools();
    try {
      expect(pools.readPool.started).toBe(false);
      const results = await Promise.all([
        pools.readPool.run(module.countRows as never),
        pools.readPool.run(module.rowsAbove as never, { min: 7 } as never),
        pools.readPool.run(module.countRows as never),
      ]);
      expect(results).toEqual([10, [8, 9, 10], 10]);
      expect(pools.readPool.started).toBe(true);
    } finally {
      await pools.close();
    }
  });

  it('should see rows committed by the writer after the workers started', async () => {
    const { pools, module } = await openPools(1);
    try {
      expect(await pools.readPool.run(module.countRows as never)).toBe(10);
      await pools.write.transaction((tx) => tx.run('INSERT INTO t (x) VALUES (11)'));
      expect(await pools.readPool.run(module.countRows as never)).toBe(11);
    } finally {
      await pools.close();
    }
  });

  it('should reject a function that is not an export of its module', async () => {
    const { pools } = await openPools();
    try {
      const countRows = (conn: { get: (sql: string) => unknown }) => conn.get('SELECT 1');
      await expect(pools.readPool.run(countRows as never)).rejects.toThrow(/countRows is not an export of/);
    } finally {
      await pools.close();
    }
  });

  it('should reject with a SqliteError that keeps its code', async () => {
    const { pools, module } = await openPools();
    try {
      const missing = pools.readPool.run(module.missingTable as never);
      await expect(missing).rejects.toBeInstanceOf(Database.SqliteError);
      await expect(missing).rejects.toMatchObject({ code: 'SQLITE_ERROR', message: 'no such table: nope' });
      await expect(pools.readPool.run(module.writeThrough as never)).rejects.toMatchObject({
        code: 'SQLITE_READONLY',
      });
      // The workers survive errors and go on serving.
      expect(await pools.readPool.run(module.countRows as never)).toBe(10);
    } finally {
      await pools.close();
    }
  });

  it('should keep the event loop free while a long read runs', async () => {
    const { pools, module } = await openPools(1);
    try {
      await pools.readPool.run(module.countRows as never); // start the worker first
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      const count = await pools.readPool.run(module.spin as never);
      clearInterval(timer);
      expect(count).toBe(3_000_000);
      // Run on this thread, the same query would let no timer fire until it returned.
      expect(ticks).toBeGreaterThan(0);
    } finally {
      await pools.close();
    }
  });

  it('should reject when its module cannot be loaded', async () => {
    const dir = makeTempDir();
    const pools = await DbPools.open(join(dir, 'db', 'msb.db'), {
      migrations,
      readPoolSize: 1,
      readPoolModuleUrl: pathToFileURL(join(dir, 'absent.mjs')).href,
    });
    try {
      await expect(pools.readPool.run((() => 1) as never)).rejects.toThrow(/Cannot find module|absent\.mjs/);
    } finally {
      await pools.close();
    }
  });

  it('should refuse a size below one', async () => {
    const dir = makeTempDir();
    await expect(DbPools.open(join(dir, 'x.db'), { migrations, readPoolSize: 0 })).rejects.toThrow(
      RangeError,
    );
  });

  it('should run the generated read functions from the TypeScript source, with no build', async () => {
    // openTestPools keeps the default module (the generated queries): under vitest this file is
    // src/db/*.ts, so the workers load src/ through read-pool-worker-boot.mjs, never dist/.
    const { pools } = await openTestPools({ readPoolSize: 2 });
    const id = await pools.write.transaction((tx) => {
      const sandbox = Number(
        tx.run(`INSERT INTO sandbox (name, config, status) VALUES ('web', '{}', 'Running')`).lastInsertRowid,
      );
      for (const cpuPercent of [10, 30]) {
        insertRuntimeMetric(tx, {
          sandboxId: sandbox,
          cpuPercent,
          memoryBytes: cpuPercent * 1000,
          diskReadBytes: 0,
          diskWriteBytes: 0,
          netRxBytes: 0,
          netTxBytes: 0,
        });
      }
      return sandbox;
    });

    const [summary] = await pools.readPool.run(summarizeMetrics);

    expect(summary).toMatchObject({ sandboxId: id, samples: 2, avgCpuPercent: 20, maxMemoryBytes: 30_000 });
  });

  it('should keep a process that awaits only the pool alive while its worker starts', async () => {
    const { pools, path } = await openTestPools();
    await pools.write.transaction((tx) =>
      tx.run(`INSERT INTO sandbox (name, config, status) VALUES ('web', '{}', 'Stopped')`),
    );

    // Exit code 13 is Node's "unsettled top-level await": the process would end with the read pending.
    const { stdout } = await promisify(execFile)(process.execPath, [AWAIT_READ_POOL, path], {
      timeout: 20_000,
    });

    expect(JSON.parse(stdout)).toEqual(['web']);
  });
});
