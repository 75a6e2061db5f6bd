// Words whose plural is not made by a suffix, and words that are their own plural.
const IRREGULAR = new Map([
  ['people', 'person'],
  ['men', 'man'],
  ['women', 'woman'],
  ['children', 'child'],
  ['mice', 'mouse'],
  ['geese', 'goose'],
  ['feet', 'foot'],
  ['teeth', 'tooth'],
  ['oxen', 'ox'],
]);
const UNCOUNTABLE = new Set([
  'data',
  'metadata',
  'equipment',
  'information',
  'money',
  'news',
  'series',
  'species',
  'sheep',
  'fish',
  'deer',
]);
// Tried in order; the first that matches wins.
const SUFFIXES: readonly [RegExp, string][] = [
  [/(quiz)zes$/i, '$1'],
  [/(matr)ices$/i, '$1ix'],
  [/(vert|ind)ices$/i, '$1ex'],
  [/(alias|status|bus|campus|virus)es$/i, '$1'],
  [/(alias|status|bus|campus|virus|ss|us|is)$/i, '$1'],
  [/(x|ch|ss|sh|zz)es$/i, '$1'],
  [/([^aeiouy]|qu)ies$/i, '$1y'],
  [/s$/i, ''],
];

/**
 * The singular of a table name, as sqlc names a table's row (`users` → `user`, `user_accounts` →
 * `user_account`, `categories` → `category`, `statuses` → `status`): only the last word of a
 * snake_case name changes, and a word that is not a plural English noun stays as it is.
 *
 * @example
 * ```ts
 * singular('author_books'); // 'author_book'
 * ```
 */
export function singular(name: string): string {
  const cut = name.lastIndexOf('_') + 1;
  const head = name.slice(0, cut);
  const word = name.slice(cut);
  const lower = word.toLowerCase();
  const irregular = IRREGULAR.get(lower);
  if (irregular !== undefined) return head + matchCase(word, irregular);
  if (UNCOUNTABLE.has(lower)) return name;
  for (const [pattern, replacement] of SUFFIXES) {
    if (pattern.test(word)) return head + word.replace(pattern, replacement);
  }
  return name;
}

/** `replacement` with the first letter's case of `word` (`People` → `Person`). */
function matchCase(word: string, replacement: string): string {
  const first = word.charAt(0);
  return first === first.toUpperCase()
    ? replacement.charAt(0).toUpperCase() + replacement.slice(1)
    : replacement;
}
