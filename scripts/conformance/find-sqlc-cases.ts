import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { yaml } from '../codegen/load-cjs.js';

/**
 * One `engine: sqlite` entry of a sqlc end-to-end case: the files sqlc reads and where its Go output is.
 *
 * @example
 * ```ts
 * const [first] = findSqlcCases('/tmp/sqlc-checkout');
 * first?.queryFiles; // ['/tmp/sqlc-checkout/internal/endtoend/testdata/alias/sqlite/query.sql']
 * ```
 */
export interface SqlcCase {
  /** The case directory relative to the checkout (`internal/endtoend/testdata/` left out), plus `[entry]` when its configuration has several sqlite entries. */
  readonly name: string;
  readonly dir: string;
  readonly configPath: string;
  /** Absolute `.sql` paths in sqlc's order (each listed path in turn, a directory's files by name). */
  readonly schemaFiles: readonly string[];
  readonly queryFiles: readonly string[];
  /** The directory of sqlc's generated Go, if the entry generates Go. */
  readonly goOut: string | undefined;
  /** sqlc `rename` entries (`{sql_name: GoName}`) that apply to this entry; dropped from the conversion. */
  readonly rename: Readonly<Record<string, string>>;
  /** How many sqlc `overrides` entries apply to this entry; dropped from the conversion. */
  readonly overrides: number;
  /** Why the case is not converted (sqlc expects it to fail, or does not run `generate` on it). */
  readonly skipped: string | undefined;
}

const CONFIG_NAMES = ['sqlc.json', 'sqlc.yaml', 'sqlc.yml'];
// The two trees sqlc's end-to-end tests compare generated output in (TestReplay, TestExamples).
const ROOTS = ['internal/endtoend/testdata', 'examples'];

/**
 * Every `engine: sqlite` entry of the sqlc configurations under `internal/endtoend/testdata` and
 * `examples`, in path order. A directory's first configuration file is its case and its
 * subdirectories are not searched (sqlc's `FindTests` does the same).
 *
 * 1. A case sqlc expects to fail (a non-empty `stderr.txt`, `stderr/base.txt` or `stderr_<os>.txt`)
 *    or runs with another command than `generate` (`exec.json`) is returned with `skipped` set.
 * 2. Paths follow sqlc's `Paths`: a string or a list, each a file, a directory (its `.sql` files) or
 *    a glob; hidden files and `*.down.sql` are left out.
 * 3. A checkout holding neither tree throws an `Error` naming the path and what was expected.
 *
 * @example
 * ```ts
 * for (const c of findSqlcCases('/tmp/sqlc-checkout')) console.log(c.name, c.skipped ?? 'converted');
 * ```
 */
export function findSqlcCases(checkout: string): SqlcCase[] {
  if (!isDir(checkout)) {
    throw new Error(`${checkout} is not a directory; expected a checkout of github.com/sqlc-dev/sqlc`);
  }
  const roots = ROOTS.map((r) => join(checkout, r)).filter((r) => isDir(r));
  if (roots.length === 0) {
    throw new Error(
      `${checkout} holds neither ${ROOTS.join(' nor ')}; expected a checkout of github.com/sqlc-dev/sqlc`,
    );
  }
  const cases: SqlcCase[] = [];
  const walk = (dir: string): void => {
    const names = readdirSync(dir).sort();
    const config = CONFIG_NAMES.find((n) => names.includes(n));
    if (config !== undefined) {
      cases.push(...casesOf(checkout, dir, join(dir, config)));
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (isDir(path)) walk(path);
    }
  };
  for (const root of roots) walk(root);
  return cases;
}

function casesOf(checkout: string, dir: string, configPath: string): SqlcCase[] {
  const text = readFileSync(configPath, 'utf8');
  let config: Record<string, unknown>;
  try {
    config = record(configPath.endsWith('.json') ? JSON.parse(text) : yaml().parse(text)) ?? {};
  } catch {
    // sqlc's own invalid-configuration cases; none of them is a sqlite case anyone could convert.
    return [];
  }
  const version = String(config.version ?? '');
  const entries = (version === '1' ? config.packages : config.sql) as unknown;
  if (!Array.isArray(entries)) return [];
  const sqlite = entries
    .map((e, index) => ({ entry: record(e) ?? {}, index }))
    .filter(({ entry }) => entry.engine === 'sqlite');
  const shownDir = relative(checkout, dir)
    .split('\\')
    .join('/')
    .replace(/^internal\/endtoend\/testdata\//, '');
  const skipped = skipReason(dir);
  const globalGo =
    version === '1' ? config : (record(record(config.overrides)?.go) ?? ({} as Record<string, unknown>));
  return sqlite.map(({ entry, index }) => {
    const go = version === '1' ? entry : record(record(entry.gen)?.go);
    const out = version === '1' ? entry.path : go?.out;
    const rename = {
      ...stringRecord(globalGo.rename),
      ...stringRecord(go?.rename),
    };
    const overrides = listLength(globalGo.overrides) + listLength(go?.overrides);
    const label = typeof entry.name === 'string' && entry.name !== '' ? entry.name : String(index);
    return {
      name: sqlite.length > 1 ? `${shownDir}[${label}]` : shownDir,
      dir,
      configPath,
      schemaFiles: sqlFiles(dir, entry.schema),
      queryFiles: sqlFiles(dir, entry.queries),
      goOut: typeof out === 'string' && out !== '' ? join(dir, out) : undefined,
      rename,
      overrides,
      skipped,
    };
  });
}

/** sqlc's own rule for a case it expects to fail or does not generate. */
function skipReason(dir: string): string | undefined {
  const goos = process.platform === 'win32' ? 'windows' : process.platform;
  for (const file of ['stderr/base.txt', `stderr_${goos}.txt`, 'stderr.txt']) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    // sqlc reads the first of these that exists; an empty one expects success.
    if (readFileSync(path, 'utf8').trim() !== '') return `sqlc expects it to fail (${file})`;
    break;
  }
  const execPath = join(dir, 'exec.json');
  if (existsSync(execPath)) {
    let exec: Record<string, unknown> | undefined;
    try {
      exec = record(JSON.parse(readFileSync(execPath, 'utf8')));
    } catch {
      return 'exec.json cannot be parsed';
    }
    const command = typeof exec?.command === 'string' && exec.command !== '' ? exec.command : 'generate';
    if (command !== 'generate') return `sqlc runs it as \`sqlc ${command}\`, not generate (exec.json)`;
  }
  return undefined;
}

/** The `.sql` files of a sqlc `Paths` value (a string or a list of files, directories and globs). */
function sqlFiles(dir: string, paths: unknown): string[] {
  const list = typeof paths === 'string' ? [paths] : Array.isArray(paths) ? paths.map(String) : [];
  const files: string[] = [];
  for (const pattern of list) {
    for (const path of /[*?[\]]/.test(pattern) ? glob(dir, pattern) : [join(dir, pattern)]) {
      if (isDir(path))
        files.push(
          ...readdirSync(path)
            .sort()
            .map((f) => join(path, f)),
        );
      else if (existsSync(path)) files.push(path);
    }
  }
  return files.filter((f) => {
    const name = basename(f);
    return name.endsWith('.sql') && !name.startsWith('.') && !name.endsWith('.down.sql') && !isDir(f);
  });
}

/** Paths matching a glob whose `*`, `?` and `[…]` stay within one path segment. */
function glob(dir: string, pattern: string): string[] {
  let found = [dir];
  for (const segment of pattern.split('/').filter((s) => s !== '' && s !== '.')) {
    if (!/[*?[\]]/.test(segment)) {
      found = found.map((d) => join(d, segment)).filter((p) => existsSync(p));
      continue;
    }
    const re = new RegExp(
      `^${segment
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replaceAll('*', '[^/]*')
        .replaceAll('?', '[^/]')}$`,
    );
    found = found.flatMap((d) =>
      isDir(d)
        ? readdirSync(d)
            .sort()
            .filter((n) => re.test(n))
            .map((n) => join(d, n))
        : [],
    );
  }
  return found;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record(value) ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

function listLength(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}
