import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { CodegenError } from './codegen-error.js';
import type { Diagnostic } from './diagnostic.js';
import { yaml } from './load-cjs.js';
import { FIELD_NAMINGS, type FieldNaming, FUNCTION_NAMINGS, type FunctionNaming } from './naming.js';

/**
 * The TypeScript types an override can give a column (`ts_type`, sqlc's `go_type`):
 *
 * 1. `bigint`: INTEGER values as `bigint` (safe integers).
 * 2. `json`: JSON text, parsed: `unknown` through `JSON.parse`, or through `decode`, a function the
 *    project exports (`(text: string) => T`, so it can validate), typed `ReturnType<typeof decode>`.
 * 3. `boolean`: INTEGER 0/1.
 * 4. `Date`: ISO-8601 text (`2024-05-01`, `2024-05-01 10:00:00`, `2024-05-01T10:00:00.000Z`).
 * 5. `string` / `number`: the value as it is, checked to be text / a number (for a column whose
 *    declared type has NUMERIC affinity, such as `TIMESTAMP` or `DECIMAL`, which reads as `unknown`).
 *
 * @example
 * ```ts
 * const t: OverrideType = 'Date';
 * ```
 */
export type OverrideType = 'bigint' | 'json' | 'boolean' | 'Date' | 'string' | 'number';

/** The `ts_type` values, in the order the configuration's diagnostics list them. */
const OVERRIDE_TYPES: readonly OverrideType[] = ['bigint', 'boolean', 'Date', 'json', 'number', 'string'];

/**
 * One entry of `options.overrides` as written (sqlc's layout): by `column` (`table.col`) or by
 * `db_type` (a declared column type, matched case-insensitively; with `nullable: true` it applies to
 * nullable columns, else to NOT NULL ones, as in sqlc). A `column` entry wins over a `db_type` one.
 *
 * @example
 * ```ts
 * const o: TypeOverride = { dbType: 'TIMESTAMP', nullable: false, type: 'Date' };
 * ```
 */
export interface TypeOverride {
  readonly column?: string;
  /** The declared type, upper-cased, as the schema catalog holds it. */
  readonly dbType?: string;
  readonly nullable: boolean;
  readonly type: OverrideType;
  readonly decode?: { readonly name: string; readonly from: string };
  /** Written with the older `type:` key instead of `ts_type:`: `json` parameters stay JSON text. */
  readonly legacy?: true;
  /** Where the entry is written in the configuration, for diagnostics. */
  readonly at?: ConfigPosition;
}

/**
 * The override that applies to one schema column, resolved from the {@link TypeOverride} entries.
 *
 * @example
 * ```ts
 * const o: ColumnOverride = { column: 'sandbox.config', type: 'json', decode: { name: 'parseConfig', from: '../host/parse-config.js' } };
 * ```
 */
export interface ColumnOverride {
  /** `table.column`. */
  readonly column: string;
  readonly type: OverrideType;
  readonly decode?: { readonly name: string; readonly from: string };
  readonly legacy?: true;
  readonly at?: ConfigPosition;
}

/**
 * A position in the configuration file (1-based), where a diagnostic about a key points.
 *
 * @example
 * ```ts
 * const at: ConfigPosition = { line: 9, col: 14 };
 * ```
 */
export interface ConfigPosition {
  readonly line: number;
  readonly col: number;
}

/**
 * The generator's settings, resolved from one `sqlc.yaml` (sqlc's version 2 layout). Paths are
 * absolute; `rootDir` is the configuration's directory, against which diagnostics name files.
 *
 * @example
 * ```ts
 * const config = loadCodegenConfig('sqlc.yaml');
 * config.outDir; // '/work/main/src/generated'
 * ```
 */
export interface CodegenConfig {
  readonly configPath: string;
  readonly rootDir: string;
  readonly schemaDir: string;
  readonly queriesDir: string;
  readonly outDir: string;
  /** Module specifier the generated files import `src/db` from. */
  readonly dbImport: string;
  readonly overrides: readonly TypeOverride[];
  /** `options.strict_lint`: warn about each non-STRICT table whose declared types need checks. */
  readonly strictLint: boolean;
  /** How fields, parameters and functions are spelled; `camel` for both by default. */
  readonly naming: { readonly fields: FieldNaming; readonly functions: FunctionNaming };
  /** Field or parameter name per SQL name, where `naming` is not wanted (`{ sandbox_id: sandboxID }`). */
  readonly rename: Readonly<Record<string, string>>;
  /** Where each `rename` entry is written in the configuration, for diagnostics. */
  readonly renameAt: Readonly<Record<string, ConfigPosition>>;
  /** Where the `schema`, `queries` and `out` paths are written, for diagnostics about them. */
  readonly pathAt: Readonly<Record<'schema' | 'queries' | 'out', ConfigPosition>>;
}

const PLUGIN = 'msb-ts';
const TOP_KEYS = new Set(['version', 'plugins', 'sql']);
const SQL_KEYS = new Set(['engine', 'schema', 'queries', 'codegen']);
const CODEGEN_KEYS = new Set(['out', 'plugin', 'options']);
const OPTION_KEYS = new Set(['db_import', 'naming', 'overrides', 'rename', 'strict_lint']);
const OVERRIDE_KEYS = new Set(['column', 'db_type', 'nullable', 'ts_type', 'type', 'decode']);
const NAMING_KEYS = new Set(['fields', 'functions']);

/**
 * Reads and validates `sqlc.yaml`. Every problem is reported at once as a {@link CodegenError}
 * (`CODEGEN_CONFIG`) naming the file, line and key.
 *
 * 1. `version` must be `"2"`; exactly one `sql` entry with `engine: sqlite`, `schema`, `queries` and
 *    one `codegen` entry whose `plugin` is `msb-ts` (declared under `plugins`).
 * 2. Options: `db_import` (default `../db/index.js`), `overrides` (sqlc's: `{column: table.col,
 *    ts_type: T}` or `{db_type: timestamp, nullable?: true, ts_type: T}`, `T` an {@link OverrideType},
 *    `decode: {name, from}` with `json`; the older `{column, type: bigint | json}` still reads),
 *    `strict_lint` (boolean),
 *    `naming` (`{fields: camel | pascal | snake | none, functions: camel | snake}`, both `camel` by
 *    default), `rename` (`{sql_name: fieldName}`, for names `naming` gets wrong; it wins over `naming`).
 * 3. A key this generator does not read is an error, not ignored.
 * 4. Only the file itself is read: whether the directories it names exist and hold `.sql` files is
 *    checked when the project is generated (`listProjectFiles`), so `--watch` can follow a
 *    configuration whose directories are not there yet.
 *
 * @example
 * ```ts
 * const config = loadCodegenConfig('test/fixtures/codegen/basic/sqlc.yaml');
 * ```
 */
export function loadCodegenConfig(path: string): CodegenConfig {
  const configPath = resolve(path);
  const rootDir = dirname(configPath);
  // Diagnostics name files relative to the configuration's directory, so the file itself is its base name.
  const shown = basename(configPath);
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (err) {
    const message =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? `the configuration file ${configPath} does not exist (pass --config <file>)`
        : `cannot read the configuration file ${configPath}: ${(err as Error).message}`;
    throw new CodegenError('CODEGEN_CONFIG', [{ path: shown, line: 1, col: 1, message }]);
  }
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const problems: Diagnostic[] = [];
  const posOf = (node: unknown): ConfigPosition => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range === undefined ? { line: 1, col: 1 } : lineCounter.linePos(range[0]);
  };
  const at = (node: unknown, message: string): void => {
    problems.push({ path: shown, ...posOf(node), message });
  };
  for (const err of doc.errors) {
    const pos = err.linePos?.[0] ?? { line: 1, col: 1 };
    // The parser repeats the position in its message ("... at line 4, column 1:"), which the prefix holds.
    const message = (err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    problems.push({ path: shown, line: pos.line, col: pos.col, message });
  }
  if (problems.length > 0) throw new CodegenError('CODEGEN_CONFIG', problems);

  const root: unknown = doc.toJS();
  const node = (keyPath: (string | number)[]): unknown => doc.getIn(keyPath, true) ?? doc.contents;
  const record = (value: unknown): Record<string, unknown> | undefined =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;

  const top = record(root);
  if (top === undefined) {
    at(doc.contents, 'the configuration must be a mapping');
    throw new CodegenError('CODEGEN_CONFIG', problems);
  }
  // A misspelled key (`option:`, `querys:`) would otherwise be ignored and its settings silently lost.
  const unknownKeys = (value: unknown, keyPath: (string | number)[], valid: ReadonlySet<string>): void => {
    const given = record(value);
    if (given === undefined) return;
    const shownPath = keyPath.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');
    for (const key of Object.keys(given)) {
      if (valid.has(key)) continue;
      const pair = (doc.getIn(keyPath, true) as { items?: { key?: unknown }[] } | undefined)?.items?.find(
        (item) => String((item.key as { value?: unknown } | undefined)?.value) === key,
      );
      at(
        pair?.key ?? doc.getIn(keyPath, true),
        `unknown key ${`${shownPath}.${key}`.replace(/^\./, '')} (valid: ${[...valid].join(', ')})`,
      );
    }
  };
  unknownKeys(top, [], TOP_KEYS);
  if (String(top.version) !== '2') at(node(['version']), 'version must be "2" (sqlc version 2 layout)');
  const plugins = Array.isArray(top.plugins) ? top.plugins : [];
  if (!plugins.some((p) => record(p)?.name === PLUGIN)) {
    at(node(['plugins']), `plugins must declare {name: ${PLUGIN}}`);
  }
  const sql = Array.isArray(top.sql) ? top.sql : [];
  if (sql.length !== 1) at(node(['sql']), 'sql must hold exactly one entry');
  const entry = record(sql[0]) ?? {};
  unknownKeys(sql[0], ['sql', 0], SQL_KEYS);
  if (entry.engine !== 'sqlite') {
    at(
      node(['sql', 0, 'engine']),
      `sql[0].engine must be sqlite${entry.engine === undefined ? '' : ` (not ${JSON.stringify(entry.engine)})`}`,
    );
  }
  const dirOf = (key: 'schema' | 'queries'): string => {
    const value = entry[key];
    if (typeof value !== 'string' || value === '') {
      at(node(['sql', 0, key]), `sql[0].${key} must be a directory path`);
      return rootDir;
    }
    return resolve(rootDir, value);
  };
  const schemaDir = dirOf('schema');
  const queriesDir = dirOf('queries');
  const codegen = Array.isArray(entry.codegen) ? entry.codegen : [];
  const targets = codegen.filter((c) => record(c)?.plugin === PLUGIN);
  if (targets.length !== 1)
    at(node(['sql', 0, 'codegen']), `sql[0].codegen must hold one entry with plugin: ${PLUGIN}`);
  const index = codegen.findIndex((c) => record(c)?.plugin === PLUGIN);
  const target = record(targets[0]) ?? {};
  if (index >= 0) unknownKeys(target, ['sql', 0, 'codegen', index], CODEGEN_KEYS);
  let outDir = rootDir;
  if (typeof target.out !== 'string' || target.out === '') {
    at(node(['sql', 0, 'codegen', index, 'out']), 'sql[0].codegen[].out must be a directory path');
  } else {
    outDir = resolve(rootDir, target.out);
  }
  const options = record(target.options ?? {});
  let dbImport = '../db/index.js';
  const overrides: TypeOverride[] = [];
  let strictLint = false;
  const rename: Record<string, string> = {};
  const renameAt: Record<string, ConfigPosition> = {};
  let naming: { fields: FieldNaming; functions: FunctionNaming } = { fields: 'camel', functions: 'camel' };
  if (options === undefined) {
    at(node(['sql', 0, 'codegen', index, 'options']), 'options must be a mapping');
  } else {
    const optionsPath = ['sql', 0, 'codegen', index, 'options'];
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.has(key)) {
        at(
          doc.getIn(optionsPath, true),
          `unknown option ${JSON.stringify(key)} (valid: ${[...OPTION_KEYS].join(', ')})`,
        );
      }
    }
    if (options.db_import !== undefined) {
      if (typeof options.db_import === 'string' && options.db_import !== '') dbImport = options.db_import;
      else at(node([...optionsPath, 'db_import']), 'options.db_import must be a module specifier');
    }
    if (options.strict_lint !== undefined) {
      if (typeof options.strict_lint === 'boolean') strictLint = options.strict_lint;
      else at(node([...optionsPath, 'strict_lint']), 'options.strict_lint must be true or false');
    }
    if (options.naming !== undefined) {
      const namingPath = [...optionsPath, 'naming'];
      const given = record(options.naming);
      if (given === undefined) {
        at(node(namingPath), 'options.naming must be a mapping ({fields: camel, functions: camel})');
      } else {
        const pick = <T extends string>(key: string, valid: readonly T[]): T => {
          const value = given[key];
          if (value === undefined) return valid[0] as T;
          if (typeof value === 'string' && (valid as readonly string[]).includes(value)) return value as T;
          at(node([...namingPath, key]), `options.naming.${key} must be one of ${valid.join(', ')}`);
          return valid[0] as T;
        };
        naming = { fields: pick('fields', FIELD_NAMINGS), functions: pick('functions', FUNCTION_NAMINGS) };
        for (const key of Object.keys(given)) {
          if (!NAMING_KEYS.has(key)) {
            at(
              node([...namingPath, key]),
              `unknown key options.naming.${key} (valid: ${[...NAMING_KEYS].join(', ')})`,
            );
          }
        }
      }
    }
    const renames = options.rename ?? {};
    const renameMap = record(renames);
    if (renameMap === undefined) at(node([...optionsPath, 'rename']), 'options.rename must be a mapping');
    else {
      for (const [from, to] of Object.entries(renameMap)) {
        if (typeof to !== 'string' || !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(to)) {
          at(
            node([...optionsPath, 'rename', from]),
            `options.rename.${from} must be a TypeScript identifier`,
          );
        } else {
          rename[from] = to;
          // The entry's key, where a later "matches nothing" diagnostic points.
          const pair = (
            doc.getIn([...optionsPath, 'rename'], true) as { items?: unknown[] } | undefined
          )?.items?.find((item) => String((item as { key?: { value?: unknown } }).key?.value) === from) as
            | { key?: { range?: [number, number, number] } }
            | undefined;
          renameAt[from] = posOf(pair?.key);
        }
      }
    }
    const list = options.overrides ?? [];
    if (!Array.isArray(list)) at(node([...optionsPath, 'overrides']), 'options.overrides must be a list');
    else {
      list.forEach((item, i) => {
        const itemPath = [...optionsPath, 'overrides', i];
        const o = record(item);
        const entryAt = posOf(node(itemPath));
        const name = `options.overrides[${i}]`;
        if (o === undefined) {
          at(
            node(itemPath),
            `${name} must be a mapping ({column: table.col, ts_type: T} or {db_type: T, ts_type: T})`,
          );
          return;
        }
        unknownKeys(o, itemPath, OVERRIDE_KEYS);
        const { column, db_type: dbType } = o;
        let target: { column: string } | { dbType: string } | undefined;
        if (column !== undefined && dbType !== undefined) {
          at(node(itemPath), `${name}: column and db_type are mutually exclusive (as in sqlc)`);
        } else if (column !== undefined) {
          if (typeof column !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/.test(column))
            at(node([...itemPath, 'column']), `${name}.column must be "table.column"`);
          else target = { column };
        } else if (dbType !== undefined) {
          if (typeof dbType !== 'string' || dbType.trim() === '')
            at(
              node([...itemPath, 'db_type']),
              `${name}.db_type must be a declared column type (timestamp, boolean, …)`,
            );
          else target = { dbType: dbType.trim().toUpperCase() };
        } else {
          at(node(itemPath), `${name} needs column (table.column) or db_type`);
        }
        if (o.nullable !== undefined && typeof o.nullable !== 'boolean')
          at(node([...itemPath, 'nullable']), `${name}.nullable must be true or false`);
        else if (o.nullable !== undefined && column !== undefined)
          at(
            node([...itemPath, 'nullable']),
            `${name}.nullable applies to db_type overrides only (a column override applies whatever the column's nullability)`,
          );
        const legacy = o.type !== undefined;
        let type: OverrideType | undefined;
        if (o.type !== undefined && o.ts_type !== undefined) {
          at(node(itemPath), `${name}: give ts_type only (type is its older spelling)`);
        } else if (legacy) {
          if (o.type === 'bigint' || o.type === 'json') type = o.type;
          else at(node([...itemPath, 'type']), `${name}.type must be bigint or json (or use ts_type)`);
        } else if (o.ts_type === undefined && o.go_type !== undefined) {
          // The unknown key is reported too; this says what to write instead.
          at(
            node([...itemPath, 'go_type']),
            `${name}: go_type is sqlc's Go key; write ts_type (one of ${OVERRIDE_TYPES.join(', ')})`,
          );
        } else if (o.ts_type === undefined) {
          at(node(itemPath), `${name} needs ts_type (one of ${OVERRIDE_TYPES.join(', ')})`);
        } else if (
          typeof o.ts_type === 'string' &&
          (OVERRIDE_TYPES as readonly string[]).includes(o.ts_type)
        ) {
          type = o.ts_type as OverrideType;
        } else {
          at(node([...itemPath, 'ts_type']), `${name}.ts_type must be one of ${OVERRIDE_TYPES.join(', ')}`);
        }
        let decode: { name: string; from: string } | undefined;
        if (o.decode !== undefined) {
          const d = record(o.decode);
          if (type !== undefined && type !== 'json') {
            at(node([...itemPath, 'decode']), `${name}.decode applies to json overrides only`);
          } else if (
            typeof d?.name !== 'string' ||
            !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(d.name) ||
            typeof d.from !== 'string' ||
            d.from === ''
          ) {
            at(
              node([...itemPath, 'decode']),
              `${name}.decode must be {name: <exported function>, from: <module specifier>}`,
            );
          } else decode = { name: d.name, from: d.from };
        }
        if (target === undefined || type === undefined) return;
        overrides.push({
          ...target,
          nullable: o.nullable === true,
          type,
          ...(decode === undefined ? {} : { decode }),
          ...(legacy ? { legacy: true as const } : {}),
          at: entryAt,
        });
      });
    }
  }
  if (problems.length > 0) throw new CodegenError('CODEGEN_CONFIG', problems);
  return {
    configPath,
    rootDir,
    schemaDir,
    queriesDir,
    outDir,
    dbImport,
    overrides,
    strictLint,
    naming,
    rename,
    renameAt,
    pathAt: {
      schema: posOf(node(['sql', 0, 'schema'])),
      queries: posOf(node(['sql', 0, 'queries'])),
      out: posOf(node(['sql', 0, 'codegen', index, 'out'])),
    },
  };
}
