// Hand-written functions shaped exactly like the generated ones (docs/architecture.md, the typed contract): a `:read` function takes
// `DbReadConnection | DbWriteTransaction` and is synchronous; a `:write` function has two overloads, the
// transaction handle (synchronous) and the bare writer (its own retried transaction, a promise).
// test/types/db-connection-types.ts proves what the compiler refuses; test/db/typed-functions.test.ts
// runs these functions for real.
import { type DbReadConnection, type DbWriteConnection, DbWriteTransaction } from '../../src/db/index.js';

export type SandboxStatus = 'Running' | 'Draining' | 'Paused' | 'Stopped' | 'Crashed';

const SELECT_SANDBOX_BY_NAME_SQL = 'SELECT id, name, status FROM sandbox WHERE name = @name';

/** Parameters of {@link selectSandboxByName}. */
export interface SelectSandboxByNameParams {
  readonly name: string;
}

/** A row of {@link selectSandboxByName}. */
export interface SelectSandboxByNameRow {
  readonly id: number;
  readonly name: string;
  readonly status: SandboxStatus;
}

type SelectSandboxByNameRaw = readonly [number, string, SandboxStatus];

/**
 * `SelectSandboxByName` (`:one`, `:read`).
 *
 * @example
 * ```ts
 * const row = selectSandboxByName(pools.read, { name: 'web' });
 * ```
 */
export function selectSandboxByName(
  conn: DbReadConnection | DbWriteTransaction,
  params: SelectSandboxByNameParams,
): SelectSandboxByNameRow | undefined {
  const r = conn.get<SelectSandboxByNameRaw>(SELECT_SANDBOX_BY_NAME_SQL, { name: params.name }, 'raw');
  return r === undefined ? undefined : { id: r[0], name: r[1], status: r[2] };
}

const SELECT_SANDBOX_NAMES_BY_IDS_SQL =
  'SELECT name FROM sandbox WHERE id IN (SELECT value FROM json_each(@ids)) ORDER BY id';

/** Parameters of {@link selectSandboxNamesByIds}. */
export interface SelectSandboxNamesByIdsParams {
  readonly ids: readonly number[];
}

/**
 * `SelectSandboxNamesByIds` (`:many`, `:read`): a list parameter passed through `json_each`.
 *
 * @example
 * ```ts
 * const names = selectSandboxNamesByIds(pools.read, { ids: [1, 2] });
 * ```
 */
export function selectSandboxNamesByIds(
  conn: DbReadConnection | DbWriteTransaction,
  params: SelectSandboxNamesByIdsParams,
): string[] {
  return conn.all<string>(SELECT_SANDBOX_NAMES_BY_IDS_SQL, { ids: JSON.stringify(params.ids) }, 'pluck');
}

const COUNT_SANDBOXES_SQL = 'SELECT count(*) FROM sandbox';

/**
 * `CountSandboxes` (`:one`, `:read`) without parameters: no `params` argument.
 *
 * @example
 * ```ts
 * const n = countSandboxes(pools.read);
 * ```
 */
export function countSandboxes(conn: DbReadConnection | DbWriteTransaction): number {
  return conn.get<number>(COUNT_SANDBOXES_SQL, undefined, 'pluck') ?? 0;
}

const INSERT_SANDBOX_SQL =
  "INSERT INTO sandbox (name, config, status) VALUES (@name, @config, 'Running') RETURNING id, name, status";

/** Parameters of {@link insertSandbox}. */
export interface InsertSandboxParams {
  readonly name: string;
  readonly config: string;
}

/** A row of {@link insertSandbox}. */
export interface InsertSandboxRow {
  readonly id: number;
  readonly name: string;
  readonly status: SandboxStatus;
}

type InsertSandboxRaw = readonly [number, string, SandboxStatus];

/**
 * `InsertSandbox` (`:one`, `:write`, `RETURNING`).
 *
 * @example
 * ```ts
 * const row = await insertSandbox(pools.write, { name: 'web', config: '{}' });
 * ```
 */
export function insertSandbox(
  conn: DbWriteTransaction,
  params: InsertSandboxParams,
): InsertSandboxRow | undefined;
export function insertSandbox(
  conn: DbWriteConnection,
  params: InsertSandboxParams,
): Promise<InsertSandboxRow | undefined>;
export function insertSandbox(
  conn: DbWriteTransaction | DbWriteConnection,
  params: InsertSandboxParams,
): InsertSandboxRow | undefined | Promise<InsertSandboxRow | undefined> {
  if (!(conn instanceof DbWriteTransaction)) return conn.transaction((tx) => insertSandbox(tx, params));
  const r = conn.get<InsertSandboxRaw>(
    INSERT_SANDBOX_SQL,
    { name: params.name, config: params.config },
    'raw',
  );
  return r === undefined ? undefined : { id: r[0], name: r[1], status: r[2] };
}

const SET_SANDBOX_STATUS_SQL = 'UPDATE sandbox SET status = @status WHERE id = @id';

/** Parameters of {@link setSandboxStatus}. */
export interface SetSandboxStatusParams {
  readonly status: SandboxStatus;
  readonly id: number;
}

/**
 * `SetSandboxStatus` (`:execrows`, `:write`): the number of rows changed.
 *
 * @example
 * ```ts
 * const changed = await setSandboxStatus(pools.write, { id: 1, status: 'Stopped' });
 * ```
 */
export function setSandboxStatus(conn: DbWriteTransaction, params: SetSandboxStatusParams): number;
export function setSandboxStatus(conn: DbWriteConnection, params: SetSandboxStatusParams): Promise<number>;
export function setSandboxStatus(
  conn: DbWriteTransaction | DbWriteConnection,
  params: SetSandboxStatusParams,
): number | Promise<number> {
  if (!(conn instanceof DbWriteTransaction)) return conn.transaction((tx) => setSandboxStatus(tx, params));
  return conn.run(SET_SANDBOX_STATUS_SQL, { status: params.status, id: params.id }).changes;
}

const DELETE_STOPPED_SANDBOXES_SQL = "DELETE FROM sandbox WHERE status = 'Stopped'";

/**
 * `DeleteStoppedSandboxes` (`:exec`, `:write`) without parameters.
 *
 * @example
 * ```ts
 * await deleteStoppedSandboxes(pools.write);
 * ```
 */
export function deleteStoppedSandboxes(conn: DbWriteTransaction): void;
export function deleteStoppedSandboxes(conn: DbWriteConnection): Promise<void>;
export function deleteStoppedSandboxes(conn: DbWriteTransaction | DbWriteConnection): void | Promise<void> {
  if (!(conn instanceof DbWriteTransaction)) return conn.transaction((tx) => deleteStoppedSandboxes(tx));
  conn.run(DELETE_STOPPED_SANDBOXES_SQL);
}
