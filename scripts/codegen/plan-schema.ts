import type Database from 'better-sqlite3';
import { quoteIdent } from './schema-catalog.js';

/**
 * One index as the plan checks see it.
 *
 * @example
 * ```ts
 * const i: PlanIndex = { name: 'run_running', table: 'run', unique: false, partial: true, columns: ['sandbox_id'] };
 * ```
 */
export interface PlanIndex {
  readonly name: string;
  readonly table: string;
  readonly unique: boolean;
  readonly partial: boolean;
  /** Key columns in order; `null` for an expression. */
  readonly columns: readonly (string | null)[];
}

/**
 * One foreign key: `child (from…) REFERENCES parent (to…)`.
 *
 * @example
 * ```ts
 * const fk: PlanForeignKey = { child: 'image_ref', parent: 'manifest', from: ['manifest_id'], to: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' };
 * ```
 */
export interface PlanForeignKey {
  readonly child: string;
  readonly parent: string;
  readonly from: readonly string[];
  /** The parent key columns (the parent's primary key when the constraint names none). */
  readonly to: readonly string[];
  readonly onDelete: string;
  readonly onUpdate: string;
}

interface FkRow {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
  on_update: string;
  on_delete: string;
}

const cache = new WeakMap<Database.Database, PlanSchema>();

/**
 * What the query-plan checks need of the schema (indexes, primary keys, foreign keys, triggers), read
 * from the schema's in-memory database with SQLite's pragmas and kept per database.
 *
 * @example
 * ```ts
 * const schema = PlanSchema.of(catalog.db);
 * schema.index('sqlite_autoindex_sandbox_1')?.unique; // true
 * ```
 */
export class PlanSchema {
  readonly #db: Database.Database;
  readonly #tables: ReadonlyMap<string, string>;
  readonly #indexes = new Map<string, PlanIndex | undefined>();
  readonly #indexesOf = new Map<string, readonly PlanIndex[]>();
  readonly #foreignKeys: readonly PlanForeignKey[];
  readonly #triggers: readonly { name: string; table: string }[];

  private constructor(db: Database.Database) {
    this.#db = db;
    const rows = db
      .prepare(`SELECT type, name, tbl_name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'`)
      .all() as { type: string; name: string; tbl_name: string }[];
    this.#tables = new Map(rows.filter((r) => r.type === 'table').map((r) => [r.name.toLowerCase(), r.name]));
    this.#triggers = rows
      .filter((r) => r.type === 'trigger')
      .map((r) => ({ name: r.name, table: r.tbl_name }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const fks: PlanForeignKey[] = [];
    for (const child of [...this.#tables.values()].sort()) {
      const list = db
        .prepare(`SELECT * FROM pragma_foreign_key_list(?) ORDER BY id, seq`)
        .all(child) as FkRow[];
      const byId = new Map<number, FkRow[]>();
      for (const row of list) byId.set(row.id, [...(byId.get(row.id) ?? []), row]);
      for (const cols of byId.values()) {
        const first = cols[0];
        if (first === undefined) continue;
        const parent = this.table(first.table) ?? first.table;
        const to = cols.every((c) => c.to !== null) ? cols.map((c) => c.to ?? '') : this.primaryKey(parent);
        fks.push({
          child,
          parent,
          from: cols.map((c) => c.from),
          to,
          onDelete: first.on_delete,
          onUpdate: first.on_update,
        });
      }
    }
    this.#foreignKeys = fks;
  }

  /** The schema facts of `db`, read once. */
  static of(db: Database.Database): PlanSchema {
    let schema = cache.get(db);
    if (schema === undefined) {
      schema = new PlanSchema(db);
      cache.set(db, schema);
    }
    return schema;
  }

  /** The real name of table `name` (case-insensitive), if the schema has such a table (not a view). */
  table(name: string): string | undefined {
    return this.#tables.get(name.toLowerCase());
  }

  /** Primary key columns in key order; `[]` for a table keyed by its rowid alone. */
  primaryKey(table: string): string[] {
    const info = this.#db.prepare(`PRAGMA table_info(${quoteIdent(table)})`).all() as {
      name: string;
      pk: number;
    }[];
    return info
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
  }

  /** The column that is an alias of the rowid (`id INTEGER PRIMARY KEY`), if the table has one. */
  rowidAlias(table: string): string | undefined {
    const info = this.#db.prepare(`PRAGMA table_info(${quoteIdent(table)})`).all() as {
      name: string;
      type: string;
      pk: number;
    }[];
    const pk = info.filter((c) => c.pk > 0);
    const only = pk[0];
    const wr = this.#db.prepare(`SELECT wr FROM pragma_table_list WHERE name = ?`).pluck().get(table);
    return pk.length === 1 && only !== undefined && only.type.toUpperCase() === 'INTEGER' && wr !== 1
      ? only.name
      : undefined;
  }

  /** The index called `name`, if there is one. */
  index(name: string): PlanIndex | undefined {
    if (!this.#indexes.has(name)) {
      const row = this.#db
        .prepare(`SELECT tbl_name FROM sqlite_schema WHERE type = 'index' AND name = ?`)
        .get(name) as { tbl_name: string } | undefined;
      this.#indexes.set(
        name,
        row === undefined ? undefined : this.indexesOf(row.tbl_name).find((i) => i.name === name),
      );
    }
    return this.#indexes.get(name);
  }

  /** Every index of `table`, the primary key's own index of a WITHOUT ROWID table included. */
  indexesOf(table: string): readonly PlanIndex[] {
    let found = this.#indexesOf.get(table);
    if (found === undefined) {
      const list = this.#db.prepare(`SELECT * FROM pragma_index_list(?) ORDER BY seq`).all(table) as {
        name: string;
        unique: number;
        partial: number;
      }[];
      found = list.map((i) => ({
        name: i.name,
        table,
        unique: i.unique === 1,
        partial: i.partial === 1,
        columns: (
          this.#db.prepare(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`).all(i.name) as {
            name: string | null;
          }[]
        ).map((c) => c.name),
      }));
      this.#indexesOf.set(table, found);
    }
    return found;
  }

  /** The foreign keys whose parent is `table`. */
  foreignKeysTo(table: string): PlanForeignKey[] {
    const lower = table.toLowerCase();
    return this.#foreignKeys.filter((fk) => fk.parent.toLowerCase() === lower);
  }

  /** The foreign keys of `table` (whose child it is). */
  foreignKeysOf(table: string): PlanForeignKey[] {
    const lower = table.toLowerCase();
    return this.#foreignKeys.filter((fk) => fk.child.toLowerCase() === lower);
  }

  /** The triggers on `table`, by name. */
  triggersOn(table: string): string[] {
    const lower = table.toLowerCase();
    return this.#triggers.filter((t) => t.table.toLowerCase() === lower).map((t) => t.name);
  }

  /** Whether the schema has any trigger. */
  get hasTriggers(): boolean {
    return this.#triggers.length > 0;
  }
}
