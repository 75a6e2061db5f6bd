// Compile-time proofs about the shape of generated rows (golden outputs under test/fixtures/codegen),
// checked by `npm run typecheck`: whole-table rows are one shared type, `null` appears once in a union,
// and the `naming` option spells what callers write. Nothing here runs.
import type { DbPools } from '../../src/db/index.js';
import { owner_with_items } from '../fixtures/codegen/naming-snake/expected/owner.js';
import {
  type GetOwnerRow,
  type ItemOwnersRow,
  type ListOwnersRow,
  type OwnersAliasedRow,
  type RenameOwnerRow,
  renameOwner,
} from '../fixtures/codegen/shared-table-row/expected/a_owner.js';
import type { OwnerOfItemRow } from '../fixtures/codegen/shared-table-row/expected/b_item.js';
import type { ToOwnerRow } from '../fixtures/codegen/shared-table-row/expected/c_clash.js';
import type { Owner } from '../fixtures/codegen/shared-table-row/expected/index.js';
import * as shared from '../fixtures/codegen/shared-table-row/expected/index.js';
import type {
  KindOrNullRow,
  ValuesWithNullRow,
} from '../fixtures/codegen/union-null-members/expected/labels.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

export async function proofs(pools: DbPools): Promise<void> {
  // Whole-row queries, across files and through RETURNING *, name one type.
  assertType<Equal<GetOwnerRow, Owner>>();
  assertType<Equal<ListOwnersRow, Owner>>();
  assertType<Equal<RenameOwnerRow, Owner>>();
  assertType<Equal<OwnerOfItemRow, Owner>>();
  assertType<
    Equal<
      Owner,
      {
        readonly id: number;
        readonly name: string;
        readonly email: string | null;
        readonly kind: 'person' | 'team';
        readonly tier: 'free' | 'pro' | null;
      }
    >
  >();
  const renamed = await renameOwner(pools.write, { id: 1, name: 'ann' });
  assertType<Equal<typeof renamed, Owner | undefined>>();
  // The optional side of a join, an alias, or a clashing name keep a row type of their own.
  assertType<Equal<ItemOwnersRow['id'], number | null>>();
  assertType<Equal<OwnersAliasedRow['label'], string>>();
  assertType<Equal<ToOwnerRow, Owner>>();
  // The index exports the row types, not the raw tuples or the mappers (toOwner here is the ToOwner query).
  // @ts-expect-error the mapper stays internal to the generated modules
  shared.toItem;

  // A NULL branch adds `null` once, last.
  assertType<Equal<ValuesWithNullRow['column1'], string | null>>();
  assertType<Equal<KindOrNullRow['kind'], 'free' | 'person' | 'pro' | 'team' | null>>();

  // naming: {fields: snake, functions: snake}; rename wins (item_count → n_items).
  const row = owner_with_items(pools.read, { owner_id: 1 });
  assertType<
    Equal<
      typeof row,
      | {
          readonly owner_id: number;
          readonly name: string;
          readonly email: string | null;
          readonly n_items: number;
          readonly max_price: number | null;
        }
      | undefined
    >
  >();
  // @ts-expect-error the camelCase spelling does not exist under snake naming
  owner_with_items(pools.read, { ownerId: 1 });
}
