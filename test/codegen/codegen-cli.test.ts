import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { makeTempDir } from '../support/open-test-pools.js';
import { CASES_DIR } from './codegen-cases.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Exactly what `npm run codegen` runs.
const CLI = join(ROOT, 'scripts/codegen-launch.mjs');

/** A private copy of a golden case, so the CLI can write and be edited freely. */
function copyCase(name: string): string {
  const dir = join(makeTempDir('msb-codegen-cli-'), name);
  cpSync(join(CASES_DIR, name), dir, { recursive: true });
  return dir;
}

function cli(dir: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, [CLI, '--config', join(dir, 'sqlc.yaml'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** Every file under `dir` with its modification time and contents: what a failing run must not change. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const path = join(dir, name);
    if (statSync(path).isFile()) files[name] = `${statSync(path).mtimeMs} ${readFileSync(path, 'utf8')}`;
  }
  return files;
}

/** Bad inputs given to a copy of `multiple-files`: what is bad, how to make it so, what stderr says. */
const REFUSED: [string, (dir: string) => void, RegExp][] = [
  [
    'a queries directory that does not exist',
    (dir) => renameSync(join(dir, 'queries'), join(dir, 'query')),
    /^sqlc\.yaml:9:14: sql\[0\]\.queries: the directory "queries" does not exist/m,
  ],
  [
    'a queries directory without .sql files',
    (dir) => {
      rmSync(join(dir, 'queries'), { recursive: true });
      mkdirSync(join(dir, 'queries'));
    },
    /^sqlc\.yaml:9:14: sql\[0\]\.queries: the directory "queries" holds no \.sql files/m,
  ],
  [
    'a schema directory that does not exist',
    (dir) => rmSync(join(dir, 'schema'), { recursive: true }),
    /^sqlc\.yaml:8:13: sql\[0\]\.schema: the directory "schema" does not exist/m,
  ],
  [
    'a configuration that does not parse',
    (dir) => {
      const config = join(dir, 'sqlc.yaml');
      writeFileSync(config, readFileSync(config, 'utf8').replace('    schema: schema', '\tschema: schema'));
    },
    /^sqlc\.yaml:8:1: Tabs are not allowed as indentation$/m,
  ],
  [
    'a query file whose module would replace the index',
    (dir) => renameSync(join(dir, 'queries/b_item.sql'), join(dir, 'queries/index.sql')),
    /^queries\/index\.sql:1:1: .*index\.ts/m,
  ],
  [
    'a CREATE TABLE in a query file',
    (dir) =>
      appendFileSync(
        join(dir, 'queries/a_owner.sql'),
        '\n-- name: AddTable :exec\n-- :write\nCREATE TABLE extra (id INTEGER);\n',
      ),
    /^queries\/a_owner\.sql:\d+:1: AddTable: CREATE TABLE changes the schema; .*schema\//m,
  ],
  [
    'a query file whose module would replace a hand-written file',
    (dir) => {
      writeFileSync(join(dir, 'expected/helpers.ts'), 'export const answer = 42;\n');
      writeFileSync(
        join(dir, 'queries/helpers.sql'),
        '-- name: OwnerCount :one\n-- :read\nSELECT count(*) AS n FROM owner;\n',
      );
    },
    /^expected\/helpers\.ts:1:1: this file was not written by the generator/m,
  ],
];

describe('codegen CLI', () => {
  it('should pass --check on a case whose generated files are up to date', () => {
    const dir = copyCase('multiple-files');
    const run = cli(dir, '--check');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('3 file(s) up to date');
  });

  it('should print plan warnings on stderr and still pass --check and write', () => {
    const dir = copyCase('plan-read-warnings');
    const warnings = readFileSync(join(dir, 'expected-warnings.txt'), 'utf8');
    for (const args of [['--check'], []]) {
      const run = cli(dir, ...args);
      expect(run.status).toBe(0);
      expect(run.stderr).toBe(`${warnings}codegen: 2 warning(s)\n`);
    }
  });

  it('should fail on a full scan under the write lock, and pass once it is accepted with -- :scan-ok', () => {
    const dir = copyCase('plan-read-warnings');
    const file = join(dir, 'queries/account.sql');
    const write =
      '\n-- name: ExpirePlans :execrows\n-- :write\nUPDATE account SET plan = NULL WHERE plan = @plan;\n';
    writeFileSync(file, readFileSync(file, 'utf8') + write);
    const failed = cli(dir);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(
      /^queries\/account\.sql:\d+:8: ExpirePlans \(:write\) reads every row of account under the database-wide write lock \(plan: SCAN account\)/m,
    );
    expect(failed.stderr.endsWith('codegen: 1 problem(s); nothing written\n')).toBe(true);
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '-- :write\nUPDATE',
        '-- :write\n-- :scan-ok plans are expired once a year\nUPDATE',
      ),
    );
    expect(cli(dir).status).toBe(0);
  });

  it('should fail --check with a unified diff after a hand edit of a generated file', () => {
    const dir = copyCase('read-one');
    const file = join(dir, 'expected/models.ts');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('readonly email: string | null;', 'readonly email: string;'),
    );
    const run = cli(dir, '--check');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      '--- a/expected/models.ts (committed)\n+++ b/expected/models.ts (generated)\n@@ ',
    );
    expect(run.stderr).toContain('\n-  readonly email: string;\n+  readonly email: string | null;\n');
    expect(run.stderr).toContain('1 file(s) out of date');
  });

  it('should fail --check after a .sql edit that was not regenerated, then pass once regenerated', () => {
    const dir = copyCase('read-many');
    const sql = join(dir, 'queries/item.sql');
    writeFileSync(
      sql,
      readFileSync(sql, 'utf8').replace('SELECT id, title, price', 'SELECT id, title, price, note'),
    );
    const stale = cli(dir, '--check');
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('+  readonly note: string | null;');
    const write = cli(dir);
    expect(write.status).toBe(0);
    expect(write.stdout).toContain('1 written');
    expect(cli(dir, '--check').status).toBe(0);
  });

  it('should name missing and orphaned files in --check', () => {
    const dir = copyCase('multiple-files');
    rmSync(join(dir, 'expected/a_owner.ts'));
    writeFileSync(join(dir, 'expected/old.ts'), '// Code generated by msb codegen. DO NOT EDIT.\n');
    const run = cli(dir, '--check');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('missing: expected/a_owner.ts (generated but not on disk)');
    expect(run.stderr).toContain('orphaned: expected/old.ts (on disk but no longer generated)');
  });

  it('should report every problem as path:line:col, exit 1 and write nothing', () => {
    const dir = copyCase('multiple-files');
    appendFileSync(
      join(dir, 'queries/a_owner.sql'),
      '\n-- name: Broken :one\n-- :read\nSELECT nope FROM owner;\n',
    );
    appendFileSync(join(dir, 'queries/b_item.sql'), '\n-- name: Wrong :many\n-- :read\nDELETE FROM item;\n');
    const before = statSync(join(dir, 'expected/index.ts')).mtimeMs;
    rmSync(join(dir, 'expected/b_item.ts'));
    const run = cli(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('queries/a_owner.sql:7:1: Broken: no such column: nope\n');
    expect(run.stderr).toMatch(
      /queries\/b_item\.sql:\d+:1: Wrong is tagged :read but SQLite says the statement writes/,
    );
    expect(run.stderr.endsWith('codegen: 3 problem(s); nothing written\n')).toBe(true);
    expect(run.stderr).not.toContain('    at ');
    expect(existsSync(join(dir, 'expected/b_item.ts'))).toBe(false);
    expect(statSync(join(dir, 'expected/index.ts')).mtimeMs).toBe(before);
  });

  it('should write only changed files, delete orphaned generated files and keep hand-written ones', () => {
    const dir = copyCase('multiple-files');
    const untouched = join(dir, 'expected/a_owner.ts');
    const before = statSync(untouched).mtimeMs;
    writeFileSync(
      join(dir, 'expected/gone.ts'),
      '// Code generated by msb codegen from queries/gone.sql. DO NOT EDIT.\n',
    );
    writeFileSync(join(dir, 'expected/mine.ts'), 'export const mine = 1;\n');
    const sql = join(dir, 'queries/b_item.sql');
    writeFileSync(sql, readFileSync(sql, 'utf8').replace('SELECT title FROM', 'SELECT title, qty FROM'));
    const run = cli(dir);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('3 file(s), 1 written, 1 deleted');
    expect(statSync(untouched).mtimeMs).toBe(before);
    expect(existsSync(join(dir, 'expected/gone.ts'))).toBe(false);
    expect(existsSync(join(dir, 'expected/mine.ts'))).toBe(true);
    expect(readFileSync(join(dir, 'expected/b_item.ts'), 'utf8')).toContain('readonly qty: number;');
  });

  it.each(REFUSED)('should refuse %s with exit 1 and write or delete nothing', (_what, spoil, message) => {
    const dir = copyCase('multiple-files');
    spoil(dir);
    const before = snapshot(join(dir, 'expected'));
    const run = cli(dir);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/codegen: \d+ problem\(s\); nothing written\n$/);
    expect(run.stderr).not.toContain('    at ');
    expect(run.status).toBe(1);
    expect(snapshot(join(dir, 'expected'))).toEqual(before);
  });

  it('should name the key of a bad configuration and exit 1', () => {
    const dir = copyCase('read-one');
    writeFileSync(
      join(dir, 'sqlc.yaml'),
      readFileSync(join(dir, 'sqlc.yaml'), 'utf8').replace('version: "2"', 'version: "1"'),
    );
    const run = cli(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('sqlc.yaml:1:10: version must be "2" (sqlc version 2 layout)');
  });

  it('should refuse an unknown flag with exit code 2, naming it', () => {
    const dir = copyCase('read-one');
    const run = cli(dir, '--chek');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("codegen: Unknown option '--chek'");
  });

  it('should regenerate in --watch mode on change and on delete, writing only what changed', async () => {
    const dir = copyCase('multiple-files');
    const w = startWatch(dir);
    await w.waitFor(() => w.output().includes('watching for changes'), 'the watcher');
    const untouched = join(dir, 'expected/b_item.ts');
    const before = statSync(untouched).mtimeMs;

    appendFileSync(
      join(dir, 'queries/a_owner.sql'),
      '\n-- name: OwnerKind :one\n-- :read\nSELECT kind FROM owner WHERE id = @id;\n',
    );
    await w.waitFor(
      () => readFileSync(join(dir, 'expected/a_owner.ts'), 'utf8').includes('export function ownerKind('),
      'the change',
    );
    expect(statSync(untouched).mtimeMs).toBe(before);

    rmSync(join(dir, 'queries/b_item.sql'));
    await w.waitFor(() => !existsSync(untouched), 'the delete');
    expect(readFileSync(join(dir, 'expected/index.ts'), 'utf8')).not.toContain('b_item');
    expect(await w.stop()).toBe(0);
  });

  it('should report an unexpected error of a --watch rerun and keep watching', async () => {
    const dir = copyCase('multiple-files');
    const w = startWatch(dir);
    await w.waitFor(() => w.output().includes('watching for changes'), 'the watcher');
    // A directory where a generated module goes: the write stage fails to read it with EISDIR, which is
    // no CodegenError (like a disk that fails under the generator).
    rmSync(join(dir, 'expected/b_item.ts'));
    mkdirSync(join(dir, 'expected/b_item.ts'));
    appendFileSync(join(dir, 'queries/a_owner.sql'), '\n');
    await w.waitFor(
      () => /codegen: unexpected error \(still watching\): EISDIR.*expected\/b_item\.ts/.test(w.output()),
      'the error',
    );
    expect(w.exitCode()).toBeNull();

    rmSync(join(dir, 'expected/b_item.ts'), { recursive: true });
    appendFileSync(
      join(dir, 'queries/a_owner.sql'),
      '\n-- name: OwnerKind :one\n-- :read\nSELECT kind FROM owner WHERE id = @id;\n',
    );
    await w.waitFor(
      () => readFileSync(join(dir, 'expected/a_owner.ts'), 'utf8').includes('export function ownerKind('),
      'the regeneration after the error',
    );
    expect(w.output()).not.toContain('    at ');
    expect(await w.stop()).toBe(0);
  });

  it('should report a configuration that fails at --watch start and generate once it is fixed', async () => {
    const dir = copyCase('multiple-files');
    const config = join(dir, 'sqlc.yaml');
    const good = readFileSync(config, 'utf8');
    writeFileSync(config, good.replace('version: "2"', 'version: "1"'));
    rmSync(join(dir, 'expected'), { recursive: true });
    const w = startWatch(dir);
    await w.waitFor(() => w.output().includes('watching for changes'), 'the watcher');
    expect(w.output()).toContain('sqlc.yaml:1:10: version must be "2" (sqlc version 2 layout)');
    expect(w.output()).toContain('codegen: 1 problem(s); nothing written');
    expect(w.exitCode()).toBeNull();
    expect(existsSync(join(dir, 'expected'))).toBe(false);

    writeFileSync(config, good);
    await w.waitFor(() => existsSync(join(dir, 'expected/b_item.ts')), 'the first generation');
    // The directories the configuration names are watched from now on.
    rmSync(join(dir, 'queries/b_item.sql'));
    await w.waitFor(() => !existsSync(join(dir, 'expected/b_item.ts')), 'the delete');
    expect(await w.stop()).toBe(0);
  });

  it('should keep every module while the queries directory is deleted in --watch mode, and watch it again once recreated', async () => {
    const dir = copyCase('multiple-files');
    const w = startWatch(dir);
    await w.waitFor(() => w.output().includes('watching for changes'), 'the watcher');
    const before = snapshot(join(dir, 'expected'));
    const saved = readFileSync(join(dir, 'queries/a_owner.sql'), 'utf8');
    rmSync(join(dir, 'queries'), { recursive: true });
    await w.waitFor(
      () => w.output().includes('sql[0].queries: the directory "queries" does not exist'),
      'the refusal',
    );
    expect(snapshot(join(dir, 'expected'))).toEqual(before);

    const mark = w.output().length;
    mkdirSync(join(dir, 'queries'));
    writeFileSync(join(dir, 'queries/a_owner.sql'), saved);
    await w.waitFor(() => w.output().slice(mark).includes('codegen: 2 file(s)'), 'the recreated directory');
    expect(existsSync(join(dir, 'expected/b_item.ts'))).toBe(false);
    // Later edits inside the recreated directory are seen too.
    appendFileSync(
      join(dir, 'queries/a_owner.sql'),
      '\n-- name: OwnerKind :one\n-- :read\nSELECT kind FROM owner WHERE id = @id;\n',
    );
    await w.waitFor(
      () => readFileSync(join(dir, 'expected/a_owner.ts'), 'utf8').includes('export function ownerKind('),
      'an edit in the recreated directory',
    );
    expect(await w.stop()).toBe(0);
  });
});

/** A real `--watch` child process on a case directory, killed at the end of the test. */
function startWatch(dir: string): {
  output: () => string;
  exitCode: () => number | null;
  waitFor: (check: () => boolean, what: string) => Promise<void>;
  stop: () => Promise<number | null>;
} {
  const child: ChildProcess = spawn(process.execPath, [CLI, '--config', join(dir, 'sqlc.yaml'), '--watch'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
  return {
    output: () => output,
    exitCode: () => child.exitCode,
    waitFor: async (check, what) => {
      const deadline = Date.now() + 20_000;
      while (!check()) {
        if (child.exitCode !== null)
          throw new Error(`the watcher exited (${child.exitCode}) before ${what}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output}`);
        await sleep(50);
      }
    },
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
