import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConformanceReport } from '../../scripts/conformance/conformance-report.js';
import { canonicalName, nameDifferences } from '../../scripts/conformance/name-differences.js';
import { splitStatements } from '../../scripts/conformance/split-statements.js';
import { makeTempDir } from '../support/open-test-pools.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** Writes `files` (path relative to `root` → contents) and returns `root`. */
function writeTree(root: string, files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const SHELF = 'internal/endtoend/testdata/shelf/sqlite';
const LIBRARY = 'examples/library';

/**
 * A sqlc checkout in miniature: two sqlite cases in sqlc's layouts (a version 1 `sqlc.json`, and a
 * version 2 `sqlc.yaml` with a postgresql entry beside the sqlite one), a postgresql case and a case
 * sqlc expects to fail. The Go files are written for this test in the shape sqlc generates.
 */
function fakeCheckout(): string {
  const crlf = (text: string): string => text.replace(/\n/g, '\r\n');
  return writeTree(makeTempDir('msb-conformance-'), {
    [`${SHELF}/sqlc.json`]: JSON.stringify({
      version: '1',
      packages: [{ path: 'go', name: 'shelf', engine: 'sqlite', schema: 'schema.sql', queries: 'query.sql' }],
    }),
    [`${SHELF}/schema.sql`]: [
      'CREATE TABLE book (',
      '  id INTEGER PRIMARY KEY,',
      '  title TEXT NOT NULL,',
      '  shelf_code TEXT -- where it stands; may be unknown',
      ');',
      'CREATE TRIGGER book_touch AFTER UPDATE ON book BEGIN',
      '  UPDATE book SET title = title WHERE id = NEW.id;',
      'END;',
      "INSERT INTO book (title) VALUES ('data; not schema');",
      '',
    ].join('\n'),
    [`${SHELF}/query.sql`]: crlf(
      [
        '-- name: GetBook :one',
        'SELECT id, title FROM book WHERE id = @id;',
        '',
        '-- name: RenameBook :exec',
        'UPDATE book SET title = @new_title WHERE id = @book_id;',
        '',
        '-- name: ShelfOf :one',
        'SELECT shelf_code AS code, count(*) AS n FROM book WHERE title = @title GROUP BY shelf_code;',
        '',
        '-- name: Missing :many',
        'SELECT * FROM nowhere;',
        '',
        '-- name: Count_books :one',
        'SELECT count(*) FROM book;',
        '',
        '-- name: DropBooks :exec',
        'DELETE FROM book WHERE id IN (sqlc.slice(ids));',
        '',
        '-- name: ListBooks :many',
        'SELECT * FROM book;',
        '',
        'CREATE TABLE not_a_query (x INTEGER);',
        '',
      ].join('\n'),
    ),
    [`${SHELF}/go/models.go`]: [
      'package shelf',
      '',
      'type Book struct {',
      '\tID        int64',
      '\tTitle     string',
      '\tShelfCode sql.NullString',
      '}',
      '',
    ].join('\n'),
    [`${SHELF}/go/query.sql.go`]: [
      'package shelf',
      '',
      'type GetBookRow struct {',
      '\tID    int64',
      '\tTitle string',
      '}',
      '',
      'func (q *Queries) GetBook(ctx context.Context, id int64) (GetBookRow, error) {',
      '\treturn GetBookRow{}, nil',
      '}',
      '',
      'type RenameBookParams struct {',
      '\tNewTitle string `json:"new_title"`',
      '\tBookID   int64  `json:"book_id"`',
      '}',
      '',
      'func (q *Queries) RenameBook(ctx context.Context, arg RenameBookParams) error {',
      '\treturn nil',
      '}',
      '',
      'type ShelfOfRow struct {',
      '\tShelfCode sql.NullString',
      '\tN         int64',
      '}',
      '',
      'func (q *Queries) ShelfOf(ctx context.Context, title string) (ShelfOfRow, error) {',
      '\treturn ShelfOfRow{}, nil',
      '}',
      '',
      'func (q *Queries) DropBooks(ctx context.Context, ids []int64) error {',
      '\treturn nil',
      '}',
      '',
      'func (q *Queries) ListBooks(ctx context.Context) ([]Book, error) {',
      '\treturn nil, nil',
      '}',
      '',
    ].join('\n'),
    'internal/endtoend/testdata/shelf/postgresql/sqlc.json': JSON.stringify({
      version: '1',
      packages: [{ path: 'go', engine: 'postgresql', schema: 'schema.sql', queries: 'query.sql' }],
    }),
    'internal/endtoend/testdata/broken/sqlite/sqlc.json': JSON.stringify({
      version: '1',
      packages: [{ path: 'go', engine: 'sqlite', schema: 'query.sql', queries: 'query.sql' }],
    }),
    'internal/endtoend/testdata/broken/sqlite/query.sql': '-- name: Broken :one\nSELECT sqlc.argh(x);\n',
    'internal/endtoend/testdata/broken/sqlite/stderr.txt':
      'query.sql:2:8: function "sqlc.argh" does not exist\n',
    [`${LIBRARY}/sqlc.yaml`]: [
      'version: "2"',
      'overrides:',
      '  go:',
      '    rename:',
      '      author_name: Writer',
      'sql:',
      '  - engine: postgresql',
      '    schema: pg.sql',
      '    queries: pg.sql',
      '    gen: {go: {package: pg, out: pg}}',
      '  - engine: sqlite',
      '    schema: schema',
      '    queries:',
      '      - queries/a.sql',
      '      - queries/b.sql',
      '    gen:',
      '      go:',
      '        package: library',
      '        out: go',
      '        overrides:',
      '          - column: note.body',
      '            go_type: string',
      '',
    ].join('\n'),
    [`${LIBRARY}/schema/001_init.sql`]: [
      'CREATE TABLE author (id INTEGER PRIMARY KEY, author_name TEXT NOT NULL);',
      '-- +goose Down',
      'DROP TABLE author;',
      '',
    ].join('\n'),
    [`${LIBRARY}/schema/002_notes.sql`]: [
      'CREATE TABLE note (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES author (id), body);',
      'CREATE TABLE archive.note (id INTEGER);',
      '',
    ].join('\n'),
    [`${LIBRARY}/queries/a.sql`]: '/* name: AuthorNames :many */\nSELECT id, author_name FROM author;\n',
    [`${LIBRARY}/queries/b.sql`]: [
      '-- name: NoteBodies :many',
      'SELECT body FROM note WHERE author_id = @author_id;',
      '',
      '-- name: AddNote :execlastid',
      'INSERT INTO note (author_id, body) VALUES (@author_id, @body);',
      '',
    ].join('\n'),
    [`${LIBRARY}/go/query.sql.go`]: [
      'package library',
      '',
      'type AuthorNamesRow struct {',
      '\tID     int64',
      '\tWriter string',
      '}',
      '',
      'func (q *Queries) AuthorNames(ctx context.Context) ([]AuthorNamesRow, error) {',
      '\treturn nil, nil',
      '}',
      '',
      'func (q *Queries) NoteBodies(ctx context.Context, authorID int64) ([]interface{}, error) {',
      '\treturn nil, nil',
      '}',
      '',
      'type AddNoteParams struct {',
      '\tAuthorID int64',
      '\tContent  interface{}',
      '}',
      '',
      'func (q *Queries) AddNote(ctx context.Context, arg AddNoteParams) (int64, error) {',
      '\treturn 0, nil',
      '}',
      '',
    ].join('\n'),
  });
}

describe('buildConformanceReport', () => {
  it('should count the cases and the queries SQLite can prepare, and skip what sqlc expects to fail', () => {
    const report = buildConformanceReport(fakeCheckout(), makeTempDir('msb-conformance-work-'));
    expect(report.cases).toMatchObject({ found: 3, converted: 2, withoutQueries: 0 });
    expect(report.cases.skipped).toEqual([
      { case: 'broken/sqlite', reason: 'sqlc expects it to fail (stderr.txt)' },
    ]);
    expect(report.queries).toMatchObject({
      total: 10,
      macro: 1,
      preparable: { plain: 8, macro: 1 },
      unpreparable: { plain: 1, macro: 0 },
    });
    expect(report.queries.unpreparable.list).toEqual([
      { case: 'shelf/sqlite', query: 'Missing', source: 'query.sql:10', message: 'no such table: nowhere' },
    ]);
    // Count_books is the one plain query the generator refuses; the macro query is measured, not judged here.
    expect(report.queries.accepted.plain).toBe(7);
    expect(report.perCase.map((c) => [c.case, c.queries, c.unpreparable, c.accepted + c.failed])).toEqual([
      ['shelf/sqlite', 7, 1, 6],
      [LIBRARY, 3, 0, 3],
    ]);
  });

  it('should group the generator failures by reason with an example', () => {
    const report = buildConformanceReport(fakeCheckout(), makeTempDir('msb-conformance-work-'));
    const pascal = report.failures.find((f) => f.reason.startsWith('query name "…" must be PascalCase'));
    expect(pascal).toMatchObject({ count: 1, example: { case: 'shelf/sqlite', query: 'Count_books' } });
    const failed = report.perCase.reduce((n, c) => n + c.failed, 0);
    expect(report.failures.reduce((n, f) => n + f.count, 0)).toBeGreaterThanOrEqual(failed);
  });

  it('should count unknown result columns over the accepted queries, and no any', () => {
    const report = buildConformanceReport(fakeCheckout(), makeTempDir('msb-conformance-work-'));
    // GetBook 2, ShelfOf 2, ListBooks 3, AuthorNames 2, NoteBodies 1 (the untyped note.body).
    expect(report.columns).toMatchObject({ total: 10, unknown: 1, any: 0 });
    expect(report.columns.unknownList).toEqual([
      { case: LIBRARY, query: 'NoteBodies', source: 'queries/b.sql:1', column: 'body' },
    ]);
  });

  it("should list the parameter and field names that differ from sqlc's Go, whatever the case style", () => {
    const report = buildConformanceReport(fakeCheckout(), makeTempDir('msb-conformance-work-'));
    expect(report.names.differences).toEqual([
      {
        case: 'shelf/sqlite',
        query: 'ShelfOf',
        source: 'query.sql:7',
        kind: 'field',
        ours: 'code',
        sqlc: 'ShelfCode',
        viaRename: false,
      },
      {
        case: LIBRARY,
        query: 'AuthorNames',
        source: 'queries/a.sql:1',
        kind: 'field',
        ours: 'authorName',
        sqlc: 'Writer',
        viaRename: true,
      },
      {
        case: LIBRARY,
        query: 'AddNote',
        source: 'queries/b.sql:4',
        kind: 'parameter',
        ours: 'body',
        sqlc: 'Content',
        viaRename: false,
      },
    ]);
    // GetBook, ShelfOf, ListBooks (a model) and AuthorNames return structs; the others nothing or one value.
    expect(report.names.fieldsCompared).toBe(4);
    expect(report.names.notComparable).toEqual([]);
  });

  it('should drop what the conversion cannot carry and count it', () => {
    const report = buildConformanceReport(fakeCheckout(), makeTempDir('msb-conformance-work-'));
    expect(report.dropped).toEqual({
      overrides: 1,
      rename: 1,
      schemaStatements: [
        { case: LIBRARY, source: 'schema/002_notes.sql:2', message: 'unknown database archive' },
      ],
    });
  });

  it('should refuse a path that is not a sqlc checkout, naming it', () => {
    const empty = makeTempDir('msb-conformance-empty-');
    expect(() => buildConformanceReport(empty, makeTempDir())).toThrow(
      `${empty} holds neither internal/endtoend/testdata nor examples; expected a checkout of github.com/sqlc-dev/sqlc`,
    );
    expect(() => buildConformanceReport(join(empty, 'missing'), makeTempDir())).toThrow(/is not a directory/);
  });
});

describe('npm run conformance', () => {
  const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'scripts/conformance.ts'), ...args],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    return { status: child.status, stdout: child.stdout, stderr: child.stderr };
  };

  it('should exit 0 with a summary and write the JSON report even though queries fail', () => {
    const json = join(makeTempDir(), 'report.json');
    const result = run(fakeCheckout(), '--json', json);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('cases:        3 sqlite cases, 1 skipped, 2 converted');
    expect(JSON.parse(readFileSync(json, 'utf8')).queries.total).toBe(10);
  });

  it('should exit 1 naming a path that is not a checkout', () => {
    const missing = join(makeTempDir(), 'nowhere');
    const result = run(missing);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `${missing} is not a directory; expected a checkout of github.com/sqlc-dev/sqlc`,
    );
  });
});

describe('splitStatements', () => {
  it('should split at semicolons outside strings, comments and trigger bodies', () => {
    const chunks = splitStatements(
      "SELECT ';' -- ;\n;\nCREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT CASE WHEN 1 THEN 2 END; END;\nSELECT 3",
    );
    expect(chunks.map((c) => [c.line, c.text.trim()])).toEqual([
      [1, "SELECT ';' -- ;"],
      [2, 'CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT CASE WHEN 1 THEN 2 END; END'],
      [3, 'SELECT 3'],
    ]);
  });
});

describe('nameDifferences', () => {
  it('should match names on their canonical form regardless of order and pair what is left', () => {
    expect(canonicalName('AuthorID')).toBe(canonicalName('authorId'));
    expect(canonicalName('User_2')).toBe(canonicalName('user2'));
    expect(nameDifferences(['title', 'authorId', 'column3'], ['AuthorID', 'Title', 'Pages', 'Year'])).toEqual(
      [
        { ours: 'column3', sqlc: 'Pages' },
        { ours: null, sqlc: 'Year' },
      ],
    );
  });
});
