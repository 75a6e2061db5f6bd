import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BadInputCase } from '../support/bad-input.js';

/** A case whose `$MSB_HOME/config.json` holds `text` (a string, or a buffer for raw bytes). */
function config(name: string, text: string | Buffer, message: RegExp): BadInputCase {
  return {
    area: 'config',
    name,
    prepare: (dir) => {
      writeFileSync(join(dir, 'config.json'), text);
      return { program: 'msb', args: ['ls'] };
    },
    exitCode: 1,
    // Every message starts with the file, then the key when one is at fault.
    message: new RegExp(`^msb: \\S+/config\\.json: ${message.source}.*\\[DB_CONFIG_INVALID\\]$`, 'm'),
  };
}

const db = (section: Record<string, unknown> | string): string =>
  typeof section === 'string' ? `{ "database": ${section} }` : JSON.stringify({ database: section });

/** Bad `$MSB_HOME/config.json` files: each refused with exit 1, naming the file and the key. */
export const cases: readonly BadInputCase[] = [
  config('not JSON: a trailing comma', '{ "database": { "max_connections": 5, } }', /not valid JSON/),
  config('an empty file', '', /is empty \(write \{\} for the defaults\)/),
  config('comments, as in JSONC', '// tuned for CI\n{ "database": {} }\n', /not valid JSON/),
  config(
    'a UTF-16 file with its byte-order mark',
    Buffer.from(`\uFEFF${db({ max_connections: 5 })}`, 'utf16le'),
    /not valid JSON/,
  ),
  config('a top-level array', '[{ "database": {} }]', /must hold a JSON object, got an array/),
  config('a top-level string', '"database"', /must hold a JSON object, got the string "database"/),
  config('a top-level null', 'null', /must hold a JSON object, got null/),
  config('a database section that is a number', db('5'), /database: must be an object, got number 5/),
  config('a database section that is null', db('null'), /database: must be an object, got null/),
  config('a database section that is an array', db('[]'), /database: must be an object, got an array/),
  config(
    'a database section that is a string',
    db('"sqlite:///tmp/x.db"'),
    /database: must be an object, got the string/,
  ),
  config(
    'max_connections as a string',
    db({ max_connections: '5' }),
    /database\.max_connections: must be a number, got the string "5"/,
  ),
  config(
    'max_connections zero',
    db({ max_connections: 0 }),
    /database\.max_connections: must be a whole number from 1 to 64, got 0/,
  ),
  config(
    'max_connections above 64',
    db({ max_connections: 65 }),
    /database\.max_connections: must be a whole number from 1 to 64, got 65/,
  ),
  config(
    'max_connections fractional',
    db({ max_connections: 2.5 }),
    /database\.max_connections: .* got 2\.5/,
  ),
  config('max_connections negative', db({ max_connections: -4 }), /database\.max_connections: .* got -4/),
  config(
    'max_connections as an object',
    db({ max_connections: { value: 5 } }),
    /database\.max_connections: must be a number, got an object/,
  ),
  config(
    'busy_timeout_secs as a boolean',
    db({ busy_timeout_secs: true }),
    /database\.busy_timeout_secs: must be a number, got boolean true/,
  ),
  config(
    'busy_timeout_secs "NaN"',
    db({ busy_timeout_secs: 'NaN' }),
    /database\.busy_timeout_secs: must be a number, got the string "NaN"/,
  ),
  config(
    'busy_timeout_secs above a day',
    db({ busy_timeout_secs: 86_401 }),
    /database\.busy_timeout_secs: must be from 0 to 86400 seconds, got 86401/,
  ),
  config(
    'connect_timeout_secs null',
    db({ connect_timeout_secs: null }),
    /database\.connect_timeout_secs: must be a number, got null/,
  ),
  config(
    'connect_timeout_secs negative',
    db({ connect_timeout_secs: -1 }),
    /database\.connect_timeout_secs: must be from 0 to 86400 seconds, got -1/,
  ),
  config(
    'connect_timeout_secs too large for a double',
    db('{ "connect_timeout_secs": 1e999 }'),
    /database\.connect_timeout_secs: must be a number, got number Infinity/,
  ),
  config(
    'a misspelt key in the database section',
    db({ max_conections: 8 }),
    /database\.max_conections: unknown key \(valid keys: .*\)/,
  ),
  config(
    'a camelCase key in the database section',
    db({ maxConnections: 8 }),
    /database\.maxConnections: unknown key/,
  ),
  config('a key with an escape sequence', db({ 'max\u001b[2J': 1 }), /database\.max\\x1b\[2J: unknown key/),
  config(
    'a misspelt database section',
    JSON.stringify({ databse: { max_connections: 8 } }),
    /databse: unknown key: did you mean "database"\?/,
  ),
  config(
    'a capitalised database section',
    JSON.stringify({ Database: {} }),
    /Database: unknown key: did you mean "database"\?/,
  ),
  config(
    'database.url as a number',
    db({ url: 5432 }),
    /database\.url: must be a string or null, got number 5432/,
  ),
  config(
    'database.url as an object',
    db({ url: { path: '/tmp/x.db' } }),
    /database\.url: must be a string or null, got an object/,
  ),
  {
    area: 'config',
    name: 'a directory instead of the file',
    prepare: (dir) => {
      mkdirSync(join(dir, 'config.json'));
      return { program: 'msb', args: ['ls'] };
    },
    exitCode: 1,
    message: /config\.json: cannot read: EISDIR.*\[DB_CONFIG_INVALID\]/,
  },
  {
    area: 'config',
    name: 'a dangling symlink',
    prepare: (dir) => {
      symlinkSync(join(dir, 'moved-away.json'), join(dir, 'config.json'));
      return { program: 'msb', args: ['volume', 'ls'] };
    },
    exitCode: 1,
    message: /config\.json: cannot read: ENOENT.*\[DB_CONFIG_INVALID\]/,
  },
];
