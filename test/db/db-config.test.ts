import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
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
      /must be from 0 to 86400 seconds, got -1/,
    ],
    [
      'a negative busy timeout',
      '{ "database": { "busy_timeout_secs": -0.5 } }',
      'database.busy_timeout_secs',
      /must be from 0 to 86400 seconds, got -0.5/,
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
      /unknown key \(valid keys: max_connections, connect_timeout_secs, busy_timeout_secs, url\)/,
    ],
    [
      'a timeout past one day',
      '{ "database": { "busy_timeout_secs": 86401 } }',
      'database.busy_timeout_secs',
      /must be from 0 to 86400 seconds, got 86401/,
    ],
    [
      'a number too large for a double',
      '{ "database": { "connect_timeout_secs": 1e999 } }',
      'database.connect_timeout_secs',
      /must be a number, got number Infinity/,
    ],
    [
      'a url that is neither a string nor null',
      '{ "database": { "url": 5 } }',
      'database.url',
      /must be a string or null, got number 5/,
    ],
    [
      'a misspelt database section',
      '{ "databse": { "max_connections": 8 } }',
      'databse',
      /did you mean "database"/,
    ],
    ['a capitalised database section', '{ "Database": {} }', 'Database', /did you mean "database"/],
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

describe('loadDbConfig on a config.json shared with upstream microsandbox', () => {
  // What upstream's CLI writes (every section, serialized with its defaults), keys as of microsandbox 0.6.
  const upstream = {
    home: null,
    log_level: null,
    database: { url: null, max_connections: 10, connect_timeout_secs: 30, busy_timeout_secs: 30 },
    paths: {
      msb: null,
      libkrunfw: null,
      cache: null,
      sandboxes: null,
      volumes: null,
      logs: null,
      secrets: null,
    },
    sandbox_defaults: { cpus: 1, memory_mib: 512, shell: '/bin/sh', workdir: null },
    runtime: { block_writeback: { mode: 'auto' }, placement_profiles: {} },
    registries: { ca_certs: null, hosts: {} },
    ssh: { inactivity_timeout_secs: 600 },
    metrics: { capacity: 0 },
    active_profile: null,
    profiles: {},
  };

  it('should accept it, apply the database keys msb uses and ignore url', () => {
    const home = homeWith(JSON.stringify(upstream, null, 2));
    expect(loadDbConfig(home)).toEqual({ maxConnections: 10, connectTimeoutSecs: 30, busyTimeoutSecs: 30 });
  });

  it('should ignore a url naming another database: msb always uses <home>/db/msb.db', () => {
    const database = { ...upstream.database, url: 'sqlite:///var/lib/elsewhere.db' };
    const home = homeWith(JSON.stringify({ ...upstream, database }));
    expect(loadDbConfig(home).maxConnections).toBe(10);
  });

  it('should skip a leading UTF-8 byte-order mark', () => {
    const home = homeWith(`\uFEFF${JSON.stringify({ database: { max_connections: 3 } })}`);
    expect(loadDbConfig(home).maxConnections).toBe(3);
  });
});

describe('loadDbConfig on a file that is not there as it should be', () => {
  it('should refuse an empty file instead of running on the defaults', () => {
    const home = homeWith('  \n');
    const err = configError(() => loadDbConfig(home));
    expect(err.message).toBe(`${join(home, 'config.json')}: is empty (write {} for the defaults)`);
  });

  it('should refuse a dangling symlink instead of taking it for a missing file', () => {
    const home = makeTempDir('msb-config-');
    symlinkSync(join(home, 'moved-away.json'), join(home, 'config.json'));
    const err = configError(() => loadDbConfig(home));
    expect(err.message).toMatch(/config\.json: cannot read: ENOENT/);
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
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
