import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DbConfigError,
  DEFAULT_DB_CONFIG,
  dbPathFor,
  loadDbConfig,
  msbHome,
  parseDbSection,
} from '../../src/db/index.js';
import { makeTempDir } from '../support/open-test-pools.js';

function homeWith(config: string): string {
  const home = makeTempDir('msb-config-');
  writeFileSync(join(home, 'config.json'), config);
  return home;
}

function configError(fn: () => unknown): DbConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DbConfigError) return err;
    throw err;
  }
  throw new Error('expected a DbConfigError, nothing was thrown');
}

describe('loadDbConfig', () => {
  it('should give the documented defaults when config.json does not exist', () => {
    const home = makeTempDir('msb-config-');
    expect(loadDbConfig(home)).toEqual({ maxConnections: 5, connectTimeoutSecs: 30, busyTimeoutSecs: 5 });
    expect(loadDbConfig(home)).toBe(DEFAULT_DB_CONFIG);
  });

  it('should give the defaults when config.json has no database section', () => {
    const home = homeWith(JSON.stringify({ network: { mtu: 1500 } }));
    expect(loadDbConfig(home)).toEqual(DEFAULT_DB_CONFIG);
  });

  it('should apply overrides and keep defaults for keys left out', () => {
    const home = homeWith(JSON.stringify({ database: { max_connections: 8, busy_timeout_secs: 0.5 } }));
    const config = loadDbConfig(home);
    expect(config).toEqual({ maxConnections: 8, connectTimeoutSecs: 30, busyTimeoutSecs: 0.5 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('should accept zero timeouts', () => {
    const home = homeWith(JSON.stringify({ database: { connect_timeout_secs: 0, busy_timeout_secs: 0 } }));
    expect(loadDbConfig(home)).toMatchObject({ connectTimeoutSecs: 0, busyTimeoutSecs: 0 });
  });

  it.each([
    ['bad JSON', '{ "database": { "max_connections": 5, } }', undefined, /not valid JSON/],
    ['a top-level array', '[1, 2]', undefined, /must hold a JSON object/],
    ['a non-object section', '{ "database": 5 }', 'database', /must be an object, got number 5/],
    ['a null section', '{ "database": null }', 'database', /must be an object, got null/],
    ['an array section', '{ "database": [] }', 'database', /must be an object, got an array/],
    [
      'a string where a number belongs',
      '{ "database": { "max_connections": "5" } }',
      'database.max_connections',
      /must be a number, got the string "5"/,
    ],
    [
      'a boolean where a number belongs',
      '{ "database": { "busy_timeout_secs": true } }',
      'database.busy_timeout_secs',
      /must be a number, got boolean true/,
    ],
    [
      'null where a number belongs',
      '{ "database": { "connect_timeout_secs": null } }',
      'database.connect_timeout_secs',
      /must be a number, got null/,
    ],
    [
      'a negative timeout',
      '{ "database": { "connect_timeout_secs": -1 } }',
      'database.connect_timeout_secs',
      /must be >= 0, got -1/,
    ],
    [
      'a negative busy timeout',
      '{ "database": { "busy_timeout_secs": -0.5 } }',
      'database.busy_timeout_secs',
      /must be >= 0, got -0.5/,
    ],
    [
      'zero connections',
      '{ "database": { "max_connections": 0 } }',
      'database.max_connections',
      /from 1 to 64, got 0/,
    ],
    [
      'a fractional connection count',
      '{ "database": { "max_connections": 2.5 } }',
      'database.max_connections',
      /from 1 to 64, got 2.5/,
    ],
    [
      'an unknown key',
      '{ "database": { "max_conections": 5 } }',
      'database.max_conections',
      /unknown key \(valid keys: max_connections, connect_timeout_secs, busy_timeout_secs\)/,
    ],
  ])('should refuse %s with a DbConfigError naming the file and key', (_what, text, key, message) => {
    const home = homeWith(text);
    const file = join(home, 'config.json');
    const err = configError(() => loadDbConfig(home));
    expect(err.code).toBe('DB_CONFIG_INVALID');
    expect(err.file).toBe(file);
    expect(err.key).toBe(key);
    expect(err.message).toMatch(message);
    expect(err.message.startsWith(`${file}: ${key === undefined ? '' : `${key}: `}`)).toBe(true);
  });

  it('should report an unreadable config.json (a directory) as a DbConfigError with the cause', () => {
    const home = makeTempDir('msb-config-');
    const file = join(home, 'config.json');
    // A directory in place of the file: readFileSync fails with EISDIR, not ENOENT.
    mkdirSync(file);
    const err = configError(() => loadDbConfig(home));
    expect(err.file).toBe(file);
    expect(err.key).toBeUndefined();
    expect(err.message).toMatch(/cannot read/);
    expect((err.cause as NodeJS.ErrnoException).code).toBe('EISDIR');
  });
});

describe('parseDbSection', () => {
  it('should name the file it is given', () => {
    const err = configError(() => parseDbSection({ busy_timeout_secs: Number.NaN }, 'inline.json'));
    expect(err.file).toBe('inline.json');
    expect(err.key).toBe('database.busy_timeout_secs');
  });
});

describe('msbHome', () => {
  it('should use MSB_HOME when set and ~/.microsandbox when unset or empty', () => {
    expect(msbHome({ MSB_HOME: '/srv/msb' })).toBe('/srv/msb');
    expect(msbHome({})).toMatch(/\/\.microsandbox$/);
    expect(msbHome({ MSB_HOME: '' })).toMatch(/\/\.microsandbox$/);
    expect(dbPathFor('/srv/msb')).toBe('/srv/msb/db/msb.db');
  });
});
