import type { PlanForeignKey, PlanIndex, PlanSchema } from './plan-schema.js';
import type { TableWrite } from './statement-shape.js';

/**
 * One search SQLite makes in a child table because a statement deletes or re-keys a parent row, and
 * the index that serves it (undefined: the search reads every row of the child).
 *
 * @example
 * ```ts
 * const [l] = foreignKeyLookups(schema, [{ table: 'manifest', op: 'delete' }]).lookups;
 * l?.fk.child; // 'config'
 * ```
 */
export interface ForeignKeyLookup {
  readonly fk: PlanForeignKey;
  /** The write that causes the search. */
  readonly write: TableWrite;
  /** The foreign keys whose actions led from the statement's own write to `write` (empty at first). */
  readonly via: readonly PlanForeignKey[];
  readonly index: PlanIndex | 'rowid' | undefined;
}

/**
 * Every child-table search the writes cause with foreign keys on, following ON DELETE / ON UPDATE
 * CASCADE, SET NULL and SET DEFAULT down to the last table they change. SQLite's query plan shows the
 * searches of the first level only. `written` is every table the writes reach (for triggers).
 *
 * 1. A delete searches every child; an update only the children whose parent key columns it sets.
 * 2. The search is served by the child's rowid when the foreign key is its INTEGER PRIMARY KEY, or by
 *    a full (not partial) index whose leftmost columns are exactly the foreign key's columns.
 *
 * @example
 * ```ts
 * const { lookups } = foreignKeyLookups(PlanSchema.of(db), [{ table: 'manifest', op: 'delete' }]);
 * lookups.filter((l) => l.index === undefined).map((l) => l.fk.child); // ['image_ref']
 * ```
 */
export function foreignKeyLookups(
  schema: PlanSchema,
  writes: readonly TableWrite[],
): { lookups: ForeignKeyLookup[]; written: string[] } {
  const lookups: ForeignKeyLookup[] = [];
  const written = new Set<string>();
  const seen = new Set<string>();
  const queue = writes.map((write) => ({ write, via: [] as PlanForeignKey[] }));
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const { write, via } = next;
    const key = `${write.table.toLowerCase()} ${write.op === 'delete' ? '' : write.columns.join(',').toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    written.add(schema.table(write.table) ?? write.table);
    for (const fk of schema.foreignKeysTo(write.table)) {
      if (write.op === 'update') {
        const set = new Set(write.columns.map((c) => c.toLowerCase()));
        if (!fk.to.some((c) => set.has(c.toLowerCase()))) continue;
      }
      if (!lookups.some((l) => l.fk === fk)) lookups.push({ fk, write, via, index: childIndex(schema, fk) });
      const action = write.op === 'delete' ? fk.onDelete : fk.onUpdate;
      const path = [...via, fk];
      if (action === 'CASCADE' && write.op === 'delete') {
        queue.push({ write: { table: fk.child, op: 'delete' }, via: path });
      } else if (action === 'CASCADE' || action === 'SET NULL' || action === 'SET DEFAULT') {
        queue.push({ write: { table: fk.child, op: 'update', columns: fk.from }, via: path });
      }
    }
  }
  return { lookups, written: [...written] };
}

function childIndex(schema: PlanSchema, fk: PlanForeignKey): PlanIndex | 'rowid' | undefined {
  const from = fk.from.map((c) => c.toLowerCase());
  if (from.length === 1 && schema.rowidAlias(fk.child)?.toLowerCase() === from[0]) return 'rowid';
  return schema.indexesOf(fk.child).find((index) => {
    if (index.partial) return false;
    const lead = index.columns.slice(0, from.length).map((c) => c?.toLowerCase());
    return lead.length === from.length && from.every((c) => lead.includes(c));
  });
}
