import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { DbPools } from '../../src/db/index.js';
import { createSandbox } from '../../src/host/create-sandbox.js';
import { importOciImage } from '../../src/host/images.js';
import { startSandbox } from '../../src/host/start-sandbox.js';
import { buildOciLayout } from '../support/build-oci-layout.js';
import { makeTempDir, openTestPools } from '../support/open-test-pools.js';

const { SqliteError } = Database;

// A real SQLite failure of the pin: the trigger aborts every insert into sandbox_rootfs.
async function refusePins(pools: DbPools): Promise<void> {
  await pools.write.transaction((tx) =>
    tx.run(
      "CREATE TRIGGER refuse_pin BEFORE INSERT ON sandbox_rootfs BEGIN SELECT RAISE(ABORT, 'pin refused'); END",
    ),
  );
}

async function importImage(pools: DbPools): Promise<void> {
  const layout = buildOciLayout(join(makeTempDir(), 'layout'));
  await importOciImage(pools.write, layout.dir, 'test/app:1');
}

describe('createSandbox and startSandbox with an image', () => {
  it('should leave no sandbox behind when the pin fails', async () => {
    const { pools } = await openTestPools();
    await importImage(pools);
    await refusePins(pools);

    const created = createSandbox(pools, { home: makeTempDir(), name: 'web', image: 'test/app:1' });

    await expect(created).rejects.toBeInstanceOf(SqliteError);
    await expect(created).rejects.toMatchObject({
      code: 'SQLITE_CONSTRAINT_TRIGGER',
      message: 'pin refused',
    });
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
    expect(pools.read.get('SELECT count(*) FROM run', undefined, 'pluck')).toBe(0);
  });

  it('should leave a stopped sandbox Stopped when the pin of its restart fails', async () => {
    const { pools } = await openTestPools();
    await importImage(pools);
    const config = JSON.stringify({
      command: 'sleep',
      args: ['60'],
      env: {},
      workingDir: null,
      image: { reference: 'test/app:1', digest: 'sha256:unknown' },
      metricsIntervalMs: 1000,
    });
    await pools.write.transaction((tx) =>
      tx.run("INSERT INTO sandbox (name, config, status) VALUES ('web', @config, 'Stopped')", { config }),
    );
    await refusePins(pools);

    const started = startSandbox(pools, { home: makeTempDir(), name: 'web' });

    await expect(started).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_TRIGGER' });
    expect(pools.read.get("SELECT status FROM sandbox WHERE name = 'web'", undefined, 'pluck')).toBe(
      'Stopped',
    );
    expect(pools.read.get('SELECT count(*) FROM run', undefined, 'pluck')).toBe(0);
  });
});
