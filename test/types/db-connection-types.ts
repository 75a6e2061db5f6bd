// Compile-time proofs of the connection types (docs/architecture.md), checked by `npm run typecheck` (tsc over test/).
// Each `@ts-expect-error` fails the typecheck if the line below it ever compiles. Nothing here runs.
import type {
  BindParams,
  DbPools,
  DbReadConnection,
  DbWriteConnection,
  DbWriteTransaction,
  RowMode,
  RunResult,
} from '../../src/db/index.js';
import {
  countSandboxes,
  deleteStoppedSandboxes,
  type InsertSandboxRow,
  insertSandbox,
  selectSandboxByName,
  setSandboxStatus,
} from './db-typed-functions.js';

/** Same public members as `DbReadConnection`, but not the class: nominal typing must refuse it. */
const fakeRead = {
  path: '/tmp/fake.db',
  open: true,
  get<R>(_sql: string, _params?: BindParams, _mode?: RowMode): R | undefined {
    return undefined;
  },
  all<R>(_sql: string, _params?: BindParams, _mode?: RowMode): R[] {
    return [];
  },
  snapshot<T>(fn: (conn: DbReadConnection) => T): T {
    return fn(this as unknown as DbReadConnection);
  },
  close(): void {},
};

/** Same public members as `DbWriteTransaction`. */
const fakeTx = {
  active: true,
  get<R>(_sql: string, _params?: BindParams, _mode?: RowMode): R | undefined {
    return undefined;
  },
  all<R>(_sql: string, _params?: BindParams, _mode?: RowMode): R[] {
    return [];
  },
  run(_sql: string, _params?: BindParams, _bigint?: boolean): RunResult {
    return { changes: 0, lastInsertRowid: 0 };
  },
};

/** Never called: the body only has to compile (or fail to, where marked). */
export async function connectionTypeProofs(
  pools: DbPools,
  read: DbReadConnection,
  write: DbWriteConnection,
): Promise<void> {
  // Accepted: a :read function on the read connection, synchronously.
  const found: { readonly id: number } | undefined = selectSandboxByName(read, { name: 'web' });
  const n: number = countSandboxes(pools.read);

  // Accepted: a :write function on the bare writer returns a promise (its own transaction).
  const inserted: Promise<InsertSandboxRow | undefined> = insertSandbox(write, { name: 'web', config: '{}' });
  const changed: Promise<number> = setSandboxStatus(pools.write, { id: 1, status: 'Stopped' });
  const deleted: Promise<void> = deleteStoppedSandboxes(pools.write);

  // Accepted: the transaction handle by both kinds, synchronously.
  const inTx: number = await write.transaction((tx) => {
    const row: InsertSandboxRow | undefined = insertSandbox(tx, { name: 'web', config: '{}' });
    const again = selectSandboxByName(tx, { name: 'web' });
    deleteStoppedSandboxes(tx);
    return (
      (row?.id ?? 0) +
      (again?.id ?? 0) +
      setSandboxStatus(tx, { id: 1, status: 'Paused' }) +
      countSandboxes(tx)
    );
  });

  // @ts-expect-error: a :write function refuses the read-only connection.
  insertSandbox(read, { name: 'web', config: '{}' });
  // @ts-expect-error: a :write function refuses the read-only connection (no params either).
  deleteStoppedSandboxes(pools.read);
  // @ts-expect-error: a :read function refuses the bare writer (outside a transaction).
  selectSandboxByName(write, { name: 'web' });
  // @ts-expect-error: a :read function refuses the pools object itself.
  countSandboxes(pools);

  await write.transaction((tx) => {
    // @ts-expect-error: inside a transaction a :write function is synchronous, not a promise.
    const wrong: Promise<number> = setSandboxStatus(tx, { id: 1, status: 'Stopped' });
    void wrong;
  });

  // @ts-expect-error: an async transaction body is refused (it would hold the transaction across an await).
  await write.transaction(async (tx) => countSandboxes(tx));
  // @ts-expect-error: a body returning any promise is refused as well.
  await write.transaction(() => Promise.resolve(1));
  // @ts-expect-error: an async snapshot body is refused.
  read.snapshot(async (r) => countSandboxes(r));

  // @ts-expect-error: a structurally identical fake is not a DbReadConnection (#private makes it nominal).
  selectSandboxByName(fakeRead, { name: 'web' });
  // @ts-expect-error: a structurally identical fake is not a DbWriteTransaction.
  setSandboxStatus(fakeTx, { id: 1, status: 'Stopped' });
  // @ts-expect-error: nor is it accepted where a :read function takes the handle.
  countSandboxes(fakeTx);
  // @ts-expect-error: a DbWriteTransaction cannot be assigned from a fake either.
  const handle: DbWriteTransaction = fakeTx;

  // @ts-expect-error: the status parameter is the CHECK enum's union, not any string.
  await setSandboxStatus(write, { id: 1, status: 'Sleeping' });
  // @ts-expect-error: a missing parameter is a compile error.
  selectSandboxByName(read, {});

  void [found, n, inserted, changed, deleted, inTx, handle];
}
