import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { closeGlobal, DbConfigError, initGlobal } from '../../src/db/index.js';
import { makeTempDir } from '../support/open-test-pools.js';

const savedHome = process.env.MSB_HOME;

/** A fresh MSB_HOME for this test, with an optional config.json. */
function useHome(config?: unknown): string {
  const home = makeTempDir('msb-home-');
  if (config !== undefined) writeFileSync(join(home, 'config.json'), JSON.stringify(config));
  process.env.MSB_HOME = home;
  onTestFinished(() => closeGlobal());
  return home;
}

afterEach(() => {
  if (savedHome === undefined) delete process.env.MSB_HOME;
  else process.env.MSB_HOME = savedHome;
});

describe('initGlobal', () => {
  it('should create $MSB_HOME/db/msb.db, migrated', async () => {
    const home = useHome();
    const pools = await initGlobal();
    const path = join(home, 'db', 'msb.db');
    expect(existsSync(path)).toBe(true);
    expect(pools.write.path).toBe(path);
    expect(pools.read.path).toBe(path);
    expect(pools.read.get('SELECT count(*) FROM sandbox', undefined, 'pluck')).toBe(0);
    expect(pools.readPool.size).toBe(5);
    expect(pools.read.get('PRAGMA busy_timeout', undefined, 'pluck')).toBe(5_000);
  });

  it('should return the same object to concurrent and later calls', async () => {
    useHome();
    const [a, b] = await Promise.all([initGlobal(), initGlobal()]);
    expect(a).toBe(b);
    expect(await initGlobal()).toBe(a);
  });

  it('should honor the database section of config.json', async () => {
    useHome({ database: { max_connections: 3, busy_timeout_secs: 2, connect_timeout_secs: 1 } });
    const pools = await initGlobal();
    expect(pools.readPool.size).toBe(3);
    expect(pools.read.get('PRAGMA busy_timeout', undefined, 'pluck')).toBe(2_000);
  });

  it('should reject a bad config with DbConfigError, create nothing, and try again on the next call', async () => {
    const home = useHome({ database: { busy_timeout_secs: -1 } });
    const err = await initGlobal().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbConfigError);
    expect(err).toMatchObject({ key: 'database.busy_timeout_secs', file: join(home, 'config.json') });
    expect(readdirSync(home)).toEqual(['config.json']);
    writeFileSync(join(home, 'config.json'), JSON.stringify({ database: { busy_timeout_secs: 1 } }));
    const pools = await initGlobal();
    expect(pools.read.get('PRAGMA busy_timeout', undefined, 'pluck')).toBe(1_000);
  });

  it('should close the pools on closeGlobal and open new ones on the next call', async () => {
    useHome();
    const first = await initGlobal();
    await closeGlobal();
    expect(first.write.open).toBe(false);
    expect(first.read.open).toBe(false);
    const second = await initGlobal();
    expect(second).not.toBe(first);
    expect(second.write.open).toBe(true);
    await closeGlobal();
    // Closing again, with nothing open, is harmless.
    await expect(closeGlobal()).resolves.toBeUndefined();
  });
});
