/**
 * The spelling-free form names are compared in: lower case, letters and digits only. sqlc's Go
 * PascalCase (`AuthorID`, `User_2`), its camelCase arguments (`authorID`) and msb's camelCase
 * (`authorId`, `user2`) of one SQL name (`author_id`) all come out the same (`authorid`, `user2`), so
 * only a different word, an added or missing name, or a different number counts.
 *
 * @example
 * ```ts
 * canonicalName('AuthorID') === canonicalName('authorId'); // true
 * ```
 */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * One name msb's generator spells differently from sqlc (after {@link canonicalName}); `null` on the
 * side that has no name left to pair with.
 *
 * @example
 * ```ts
 * const d: NamePair = { ours: 'column1', sqlc: 'Name' };
 * ```
 */
export interface NamePair {
  readonly ours: string | null;
  readonly sqlc: string | null;
}

/**
 * The names of two lists that do not match. Names are matched as multisets on
 * {@link canonicalName}, so an order that differs is not a difference; what is left on each side is
 * then paired in order (`ours[i]` with `sqlc[i]`), a side with fewer names giving `null`.
 *
 * @example
 * ```ts
 * nameDifferences(['id', 'column2'], ['ID', 'Name']); // [{ ours: 'column2', sqlc: 'Name' }]
 * ```
 */
export function nameDifferences(ours: readonly string[], sqlc: readonly string[]): NamePair[] {
  const left = [...sqlc];
  const unmatched: string[] = [];
  for (const name of ours) {
    const at = left.findIndex((s) => canonicalName(s) === canonicalName(name));
    if (at >= 0) left.splice(at, 1);
    else unmatched.push(name);
  }
  const pairs: NamePair[] = [];
  for (let i = 0; i < Math.max(unmatched.length, left.length); i++) {
    pairs.push({ ours: unmatched[i] ?? null, sqlc: left[i] ?? null });
  }
  return pairs;
}
