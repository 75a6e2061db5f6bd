import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { PRAGMAS_READING_AN_ARGUMENT, refusedStatement } from '../../scripts/codegen/refused-statement.js';
import { EXCLUDED_PRAGMAS, pragmaResultTypes, SQLITE_PRAGMAS } from '../../scripts/codegen/sqlite-pragmas.js';
import type { StorageClass, ValueType } from '../../scripts/codegen/value-type.js';

// Every pragma of the table is run on the SQLite better-sqlite3 ships, bare, with a schema prefix and
// (for those that read an argument) on every table and index, on an empty in-memory database and on a
// populated database file; every value must have a storage class the table declares and be NULL only
// where it says so.

const dir = mkdtempSync(join(tmpdir(), 'msb-pragma-table-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function populated(): Database.Database {
  const db = new Database(join(dir, 'populated.db'));
  db.pragma('foreign_keys = OFF');
  db.exec(`
    CREATE TABLE parent (id INTEGER PRIMARY KEY, k TEXT UNIQUE, note TEXT DEFAULT 'none');
    CREATE TABLE child (
      a INTEGER NOT NULL DEFAULT 3,
      parent_id INTEGER REFERENCES parent,
      k TEXT REFERENCES parent (k) ON DELETE CASCADE,
      g INT GENERATED ALWAYS AS (a + 1) VIRTUAL,
      PRIMARY KEY (a)
    ) WITHOUT ROWID;
    CREATE TABLE rowid_child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));
    CREATE TABLE strict_table (x INTEGER, y ANY, z TEXT NOT NULL) STRICT;
    CREATE INDEX child_expr ON child (lower(k) COLLATE NOCASE DESC, parent_id) WHERE a > 0;
    CREATE UNIQUE INDEX rowid_child_parent ON rowid_child (parent_id, id);
    CREATE VIEW parent_view AS SELECT * FROM parent;
    CREATE VIRTUAL TABLE doc USING fts5(body);
    CREATE TEMP TABLE scratch (v);
    INSERT INTO parent (k) VALUES ('p1');
    INSERT INTO child (a, parent_id, k) VALUES (1, 99, 'missing'), (2, 1, 'p1');
    INSERT INTO rowid_child (parent_id) VALUES (42);
    INSERT INTO doc (body) VALUES ('hello world');
    PRAGMA user_version = 7;
  `);
  return db;
}

const DATABASES: readonly { readonly label: string; readonly open: () => Database.Database }[] = [
  { label: 'empty in-memory database', open: () => new Database(':memory:') },
  { label: 'populated database file', open: populated },
];

function storageOf(value: unknown): StorageClass | null {
  if (value === null) return null;
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'number') return 'real';
  if (typeof value === 'string') return 'text';
  if (Buffer.isBuffer(value)) return 'blob';
  throw new Error(`unexpected value ${String(value)}`);
}

function violates(type: ValueType, value: unknown): boolean {
  const storage = storageOf(value);
  if (storage === null) return !type.nullable;
  return type.storage !== 'any' && !type.storage.includes(storage);
}

/** Every way a query can run `name` on `db`: bare, with a schema prefix, and on each table and index. */
function forms(db: Database.Database, name: string): string[] {
  const statements = [`PRAGMA ${name}`, `PRAGMA main.${name}`];
  if (PRAGMAS_READING_AN_ARGUMENT.has(name)) {
    const objects = db
      .prepare(`SELECT name FROM sqlite_schema WHERE type IN ('table', 'index', 'view')`)
      .pluck()
      .all() as string[];
    for (const object of [...objects, 'no_such_table', '3']) statements.push(`PRAGMA ${name}(${object})`);
  }
  return statements;
}

describe('SQLITE_PRAGMAS', () => {
  const probe = new Database(':memory:');
  afterAll(() => probe.close());
  const listed = probe.prepare('PRAGMA pragma_list').pluck().all() as string[];

  it('should hold every pragma of pragma_list that returns rows, or say why not', () => {
    const held = new Set(SQLITE_PRAGMAS.map((p) => p.name));
    const excluded = new Set(EXCLUDED_PRAGMAS.map((p) => p.name));
    const missing = listed.filter(
      (name) => !held.has(name) && !excluded.has(name) && probe.prepare(`PRAGMA ${name}`).reader,
    );
    expect(missing).toEqual([]);
    expect([...held, ...excluded].filter((name) => !listed.includes(name))).toEqual([]);
  });

  it('should exclude only pragmas a query cannot read', () => {
    const readable = EXCLUDED_PRAGMAS.filter(
      (p) =>
        refusedStatement(`PRAGMA ${p.name}`, 'schema') === undefined &&
        probe.prepare(`PRAGMA ${p.name}`).reader,
    );
    expect(readable).toEqual([]);
  });

  it("should name each pragma's columns as SQLite does", () => {
    for (const pragma of SQLITE_PRAGMAS) {
      const described = probe
        .prepare(`PRAGMA ${pragma.name}`)
        .columns()
        .map((c) => c.name);
      expect({ pragma: pragma.name, columns: described }).toEqual({
        pragma: pragma.name,
        columns: pragma.columns.map((c) => c.name),
      });
    }
  });

  for (const database of DATABASES) {
    it(`should declare a type every value has, on an ${database.label}`, () => {
      const db = database.open();
      try {
        db.defaultSafeIntegers(true);
        const violations: string[] = [];
        const seenNull = new Set<string>();
        let values = 0;
        const refused: string[] = [];
        for (const pragma of SQLITE_PRAGMAS) {
          for (const sql of forms(db, pragma.name)) {
            expect(refusedStatement(sql, 'schema')).toBeUndefined();
            let statement: Database.Statement;
            try {
              statement = db.prepare(sql);
            } catch (err) {
              // A check of an index, or of no table: SQLite refuses it, so no query runs it.
              refused.push(`${sql}: ${(err as Error).message}`);
              continue;
            }
            const rows = statement.raw(true).all() as unknown[][];
            for (const row of rows) {
              row.forEach((value, i) => {
                const column = pragma.columns[i];
                if (column === undefined) throw new Error(`${sql}: column ${i + 1} is not in the table`);
                values++;
                if (value === null) seenNull.add(`${pragma.name}.${column.name}`);
                if (violates(column.type, value))
                  violations.push(`${sql}: ${column.name} = ${String(value)} (${storageOf(value)})`);
              });
            }
          }
        }
        expect(violations).toEqual([]);
        expect(values).toBeGreaterThan(database.label.startsWith('empty') ? 100 : 400);
        expect(refused.filter((r) => !/: no such table: /.test(r))).toEqual([]);
        if (database.label.startsWith('populated')) {
          // Every NULL the table declares is one SQLite really writes, so none is declared for safety.
          const declared = SQLITE_PRAGMAS.flatMap((p) =>
            p.columns.filter((c) => c.type.nullable).map((c) => `${p.name}.${c.name}`),
          );
          expect(declared.filter((c) => !seenNull.has(c))).toEqual([]);
        }
      } finally {
        db.close();
      }
    });
  }
});

describe('pragmaResultTypes', () => {
  it('should find a pragma whatever its case, and nothing for an unknown one', () => {
    expect(pragmaResultTypes('Foreign_Keys')).toEqual([{ storage: ['integer'], nullable: false }]);
    expect(pragmaResultTypes('no_such_pragma')).toBeUndefined();
  });
});
