// Compile-time proofs that code emitted by the generator (golden outputs under test/fixtures/codegen)
// enforces (docs/architecture.md, the typed contract), checked by `npm run typecheck`. Each `@ts-expect-error` fails the typecheck if
// the line below it ever compiles. Nothing here runs.
import type { DbPools } from '../../src/db/index.js';
import {
  type ListOwnerKindsRow,
  listOwnerKinds,
  setTier,
} from '../fixtures/codegen/check-enum/expected/owner.js';
import { type ItemsByIdsRow, itemsByIds } from '../fixtures/codegen/json-each-array/expected/ids.js';
import { type OwnersWithItemsRow, ownersWithItems } from '../fixtures/codegen/left-join/expected/join.js';
import { clearNotes, listOwners } from '../fixtures/codegen/no-params/expected/misc.js';
import {
  type MoveItemsParams,
  moveItems,
  ownerIdByName,
} from '../fixtures/codegen/write-in-transaction/expected/tx.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

export async function proofs(pools: DbPools): Promise<void> {
  const move: MoveItemsParams = { toOwner: 2, fromOwner: 1 };

  // :read functions take the read connection or the transaction handle, synchronously.
  const owner = ownerIdByName(pools.read, { name: 'ann' });
  assertType<Equal<typeof owner, { readonly id: number } | undefined>>();
  // @ts-expect-error a :read function refuses the bare writer (outside a transaction)
  ownerIdByName(pools.write, { name: 'ann' });
  // @ts-expect-error a :read function refuses the pools themselves
  listOwners(pools);

  // :write functions take the writer (a promise, own retried transaction) or the handle (synchronous).
  const changed = await moveItems(pools.write, move);
  assertType<Equal<typeof changed, number>>();
  // @ts-expect-error a :write function refuses a read connection
  moveItems(pools.read, move);
  // @ts-expect-error a :write function without parameters refuses a read connection too
  clearNotes(pools.read);

  const inside = await pools.write.transaction((tx) => {
    const id = ownerIdByName(tx, { name: 'ann' })?.id;
    const moved = moveItems(tx, move);
    assertType<Equal<typeof moved, number>>();
    // @ts-expect-error inside a transaction the result is not a promise
    moved.then(() => undefined);
    return id;
  });
  assertType<Equal<typeof inside, number | undefined>>();

  // Rows are exact: readonly, CHECK enums as unions, outer-join columns nullable.
  const kinds: ListOwnerKindsRow[] = listOwnerKinds(pools.read, { kind: 'team' });
  assertType<Equal<ListOwnerKindsRow['kind'], 'person' | 'team'>>();
  assertType<Equal<ListOwnerKindsRow['tier'], 'free' | 'pro' | null>>();
  // @ts-expect-error a value outside the CHECK list is refused
  listOwnerKinds(pools.read, { kind: 'robot' });
  // @ts-expect-error row fields are readonly
  if (kinds[0] !== undefined) kinds[0].kind = 'team';
  await setTier(pools.write, { id: 1, tier: null });
  // @ts-expect-error tier is nullable but not optional
  await setTier(pools.write, { id: 1 });

  const joined: OwnersWithItemsRow[] = ownersWithItems(pools.read);
  assertType<Equal<OwnersWithItemsRow['name'], string>>();
  assertType<Equal<OwnersWithItemsRow['title'], string | null>>();
  for (const row of joined) {
    // @ts-expect-error the optional side of a LEFT JOIN may be null
    const title: string = row.title;
    void title;
  }

  // json_each lists are typed arrays; the empty list is allowed.
  const none: ItemsByIdsRow[] = itemsByIds(pools.read, { ids: [] });
  void none;
  // @ts-expect-error ids are numbers
  itemsByIds(pools.read, { ids: ['1'] });
}
