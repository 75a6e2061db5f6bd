/**
 * Numbers repeated result field names the way sqlc does: the second column whose field name is `id`
 * becomes `id_2`, the third `id_3` (sqlc's `columnsToStruct` in internal/codegen/golang/result.go
 * counts by field name, so two SQL names that the naming rules spell alike are numbered too;
 * e2e case join_alias/sqlite: `SELECT *` over two `id` columns gives `ID` and `ID_2`).
 *
 * A numbered name can still meet a column really named so (`id, id, id_2`); that one is a clash.
 *
 * @example
 * ```ts
 * const names = new ResultFieldNames();
 * names.add('id', 'id'); // { field: 'id' }
 * names.add('id', 'id'); // { field: 'id_2' }
 * ```
 */
export class ResultFieldNames {
  /** How many columns had each base field name. */
  readonly #counts = new Map<string, number>();
  /** The SQL name of the column each final field name was given to. */
  readonly #given = new Map<string, string>();

  /** The field name of the next column; `clash` names the column that already has it, if any. */
  add(field: string, sqlName: string): { field: string; clash?: string } {
    const count = (this.#counts.get(field) ?? 0) + 1;
    this.#counts.set(field, count);
    const numbered = count === 1 ? field : `${field}_${count}`;
    const clash = this.#given.get(numbered);
    if (clash !== undefined) return { field: numbered, clash };
    this.#given.set(numbered, sqlName);
    return { field: numbered };
  }
}
