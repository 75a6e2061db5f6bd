import type { ValueType } from './value-type.js';

/**
 * The result columns of one read-only pragma, in SQLite's order and with SQLite's names.
 *
 * @example
 * ```ts
 * const pragma: PragmaResult = { name: 'user_version', columns: [{ name: 'user_version', type: INT }] };
 * ```
 */
export interface PragmaResult {
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: ValueType }[];
}

const INT: ValueType = { storage: ['integer'], nullable: false };
const TEXT: ValueType = { storage: ['text'], nullable: false };
const NULLABLE_INT: ValueType = { storage: ['integer'], nullable: true };
const NULLABLE_TEXT: ValueType = { storage: ['text'], nullable: true };

/** A pragma that answers one column named after itself. */
const single = (name: string, type: ValueType, column = name): PragmaResult => ({
  name,
  columns: [{ name: column, type }],
});
const columns = (name: string, ...cols: readonly (readonly [string, ValueType])[]): PragmaResult => ({
  name,
  columns: cols.map(([column, type]) => ({ name: column, type })),
});

/**
 * What every pragma a query may run returns (a bare `PRAGMA x`, `PRAGMA schema.x`, or `PRAGMA x(arg)`
 * for the pragmas whose argument only says what to read): the storage class of each column and
 * whether it can be NULL, from SQLite's `pragma.c` and proven by `test/codegen/pragma-table.test.ts` on
 * the SQLite better-sqlite3 ships (every value of every listed pragma, on an empty and on a populated
 * schema, against these types; and every row-returning pragma of `pragma_list` must be here or in
 * {@link EXCLUDED_PRAGMAS}).
 *
 * A NULL is declared only where SQLite writes one: a column without a default (`dflt_value`), an
 * index column that is the rowid or an expression (`name`), a foreign key to the parent's primary key
 * (`to`), a violation in a `WITHOUT ROWID` table (`rowid`).
 *
 * @example
 * ```ts
 * SQLITE_PRAGMAS.find((p) => p.name === 'foreign_keys')?.columns[0]?.type; // { storage: ['integer'], nullable: false }
 * ```
 */
export const SQLITE_PRAGMAS: readonly PragmaResult[] = [
  // Settings read back: one row, one integer.
  ...[
    'analysis_limit',
    'application_id',
    'auto_vacuum',
    'automatic_index',
    'cache_size',
    'cache_spill',
    'cell_size_check',
    'checkpoint_fullfsync',
    'count_changes',
    'data_version',
    'defer_foreign_keys',
    'empty_result_callbacks',
    'foreign_keys',
    'freelist_count',
    'full_column_names',
    'fullfsync',
    'hard_heap_limit',
    'ignore_check_constraints',
    'journal_size_limit',
    'legacy_alter_table',
    'max_page_count',
    'mmap_size',
    'page_count',
    'page_size',
    'query_only',
    'read_uncommitted',
    'recursive_triggers',
    'reverse_unordered_selects',
    'schema_version',
    'secure_delete',
    'short_column_names',
    'soft_heap_limit',
    'synchronous',
    'temp_store',
    'threads',
    'trusted_schema',
    'user_version',
    'wal_autocheckpoint',
    'writable_schema',
  ].map((name) => single(name, INT)),
  single('busy_timeout', INT, 'timeout'),
  single('encoding', TEXT),
  single('journal_mode', TEXT),
  single('locking_mode', TEXT),
  single('temp_store_directory', TEXT),
  // Lists.
  single('compile_options', TEXT),
  single('integrity_check', TEXT),
  single('quick_check', TEXT),
  single('module_list', TEXT, 'name'),
  single('pragma_list', TEXT, 'name'),
  columns('collation_list', ['seq', INT], ['name', TEXT]),
  columns('database_list', ['seq', INT], ['name', TEXT], ['file', TEXT]),
  columns(
    'function_list',
    ['name', TEXT],
    ['builtin', INT],
    ['type', TEXT],
    ['enc', TEXT],
    ['narg', INT],
    ['flags', INT],
  ),
  // The schema, read.
  columns(
    'table_list',
    ['schema', TEXT],
    ['name', TEXT],
    ['type', TEXT],
    ['ncol', INT],
    ['wr', INT],
    ['strict', INT],
  ),
  columns(
    'table_info',
    ['cid', INT],
    ['name', TEXT],
    ['type', TEXT],
    ['notnull', INT],
    ['dflt_value', NULLABLE_TEXT],
    ['pk', INT],
  ),
  columns(
    'table_xinfo',
    ['cid', INT],
    ['name', TEXT],
    ['type', TEXT],
    ['notnull', INT],
    ['dflt_value', NULLABLE_TEXT],
    ['pk', INT],
    ['hidden', INT],
  ),
  columns('index_list', ['seq', INT], ['name', TEXT], ['unique', INT], ['origin', TEXT], ['partial', INT]),
  columns('index_info', ['seqno', INT], ['cid', INT], ['name', NULLABLE_TEXT]),
  columns(
    'index_xinfo',
    ['seqno', INT],
    ['cid', INT],
    ['name', NULLABLE_TEXT],
    ['desc', INT],
    ['coll', TEXT],
    ['key', INT],
  ),
  columns(
    'foreign_key_list',
    ['id', INT],
    ['seq', INT],
    ['table', TEXT],
    ['from', TEXT],
    ['to', NULLABLE_TEXT],
    ['on_update', TEXT],
    ['on_delete', TEXT],
    ['match', TEXT],
  ),
  columns('foreign_key_check', ['table', TEXT], ['rowid', NULLABLE_INT], ['parent', TEXT], ['fkid', INT]),
];

/**
 * Pragmas `pragma_list` reports that {@link SQLITE_PRAGMAS} leaves out, each with its reason.
 *
 * @example
 * ```ts
 * EXCLUDED_PRAGMAS.map((p) => p.name).includes('optimize'); // true
 * ```
 */
export const EXCLUDED_PRAGMAS: readonly { readonly name: string; readonly reason: string }[] = [
  { name: 'case_sensitive_like', reason: 'only sets; reading it returns no rows' },
  { name: 'incremental_vacuum', reason: 'maintenance; refused in a query' },
  { name: 'optimize', reason: 'maintenance; refused in a query' },
  { name: 'shrink_memory', reason: 'maintenance; refused in a query' },
  { name: 'wal_checkpoint', reason: 'maintenance; refused in a query' },
];

const BY_NAME: ReadonlyMap<string, PragmaResult> = new Map(SQLITE_PRAGMAS.map((p) => [p.name, p]));

/**
 * The result column types of `PRAGMA name` (any schema prefix left off), or `undefined` for a pragma
 * the table does not hold.
 *
 * @example
 * ```ts
 * pragmaResultTypes('FOREIGN_KEYS'); // [{ storage: ['integer'], nullable: false }]
 * ```
 */
export function pragmaResultTypes(name: string): readonly ValueType[] | undefined {
  return BY_NAME.get(name.toLowerCase())?.columns.map((c) => c.type);
}
