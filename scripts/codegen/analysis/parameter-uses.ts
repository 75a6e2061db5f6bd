import type { Parameter } from 'sql-parser-cst';
import {
  ANY_VALUE,
  type AnalyzedType,
  representationStorage,
  type StorageClass,
  sameRepresentation,
  unionType,
} from '../value-type.js';
import { blankLiterals } from './blank-literals.js';

/**
 * Where one occurrence of a parameter stands, which says what it is and (for `?`) what sqlc names it.
 *
 * - `compared`: an operand of a comparison or `IS` (also a `CASE` result or `(…)` there), the tested
 *   value of `? IN (…)` or `? BETWEEN`, a `CASE x WHEN ?`; `column` is the first column the comparison
 *   mentions (`lower(name) = ?` → `name`), none for `? BETWEEN` (as sqlc names it).
 * - `assigned`: `SET c = ?`, or a value inserted into column `c` (VALUES position, `INSERT … SELECT`),
 *   also as a `CASE` result or in parentheses there.
 * - `between`: a `BETWEEN` bound of `column`.
 * - `limit`, `offset`: the row count or offset of a `LIMIT`.
 * - `in-list`: an item of `column IN (…)`.
 * - `json-array`: the array of `IN (SELECT value FROM json_each(?))`.
 * - `null-test`: `? IS NULL`, `? NOTNULL`.
 * - `operand`: an operand of arithmetic, bit operators, `||`, `->`/`->>` or a sign, next to `column`
 *   if it mentions one.
 * - `argument`: an argument of `function`.
 * - `cast`: `CAST(? AS type)`.
 * - `other`: anywhere else.
 *
 * @example
 * ```ts
 * const c: ParamContext = { kind: 'between', bound: 'from', column: 'price' };
 * ```
 */
export type ParamContext =
  | { readonly kind: 'compared' | 'in-list' | 'operand'; readonly column: string | undefined }
  | { readonly kind: 'assigned'; readonly column: string }
  | { readonly kind: 'between'; readonly bound: 'from' | 'to'; readonly column: string | undefined }
  | { readonly kind: 'argument' | 'json-array'; readonly function: string }
  | { readonly kind: 'limit' | 'offset' | 'null-test' | 'cast' | 'other' };

/**
 * One occurrence of a parameter: its context, the type its contexts give it (if any; what every one
 * admits when several do, as in `SET c = coalesce(?, c)`), whether it is
 * bound as a JSON array, and whether the statement tests it for NULL there (so `null` is meaningful).
 *
 * @example
 * ```ts
 * const use: ParamUse = { context: { kind: 'limit' }, hint: { storage: ['integer'], nullable: false }, array: false, testsNull: false };
 * ```
 */
export interface ParamUse {
  readonly context: ParamContext;
  readonly hint: AnalyzedType | undefined;
  readonly array: boolean;
  readonly testsNull: boolean;
}

/**
 * One parameter of a statement with every use the syntax tree shows.
 *
 * 1. `key` is the SQL name without its prefix (`@id` → `id`), or `?N` for `?` and `?NNN`.
 * 2. `index` is SQLite's parameter number: `?NNN` is NNN, a `?` is one more than the largest so far,
 *    a name gets the next number the first time it appears.
 * 3. `spelling`: `named` (`@`, `:`, `$`), `numbered` (`?NNN`) or `anonymous` (`?`).
 *
 * @example
 * ```ts
 * const p: DiscoveredParam = { key: '?1', index: 1, spelling: 'anonymous', offset: 30, inTree: true, uses: [] };
 * ```
 */
export interface DiscoveredParam {
  readonly key: string;
  readonly index: number;
  readonly spelling: 'named' | 'numbered' | 'anonymous';
  /** Offset of its first appearance in the text. */
  readonly offset: number;
  /** Whether the syntax tree holds it as a parameter (not when the parser cannot read the statement). */
  readonly inTree: boolean;
  readonly uses: readonly ParamUse[];
}

interface Token {
  readonly offset: number;
  readonly key: string;
  readonly index: number;
  readonly spelling: DiscoveredParam['spelling'];
}

interface Occurrence {
  context: ParamContext;
  hints: AnalyzedType[];
  array: boolean;
  testsNull: boolean;
}

/**
 * The parameter discovery stage: every parameter of the text in SQLite's numbering, and for each
 * occurrence the syntax tree reaches, its {@link ParamContext} and type hints. The other stages call
 * {@link ParameterUses.note} where they meet a parameter; a later note refines an occurrence's
 * context only while it is still `other`.
 *
 * @example
 * ```ts
 * const uses = ParameterUses.scan('SELECT * FROM t WHERE id = ?');
 * uses.note(paramNode, { kind: 'compared', column: 'id' }, idType);
 * uses.params(); // [{ key: '?1', index: 1, spelling: 'anonymous', uses: [...] }]
 * ```
 */
export class ParameterUses {
  readonly #tokens: readonly Token[];
  readonly #occurrences = new Map<number, Occurrence>();

  private constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  /** Finds the parameters of `sql` by scanning its text (outside literals, quoted names and comments). */
  static scan(sql: string): ParameterUses {
    const stripped = blankLiterals(sql);
    const tokens: Token[] = [];
    const named = new Map<string, number>();
    let max = 0;
    // Digits too: SQLite binds `@1`, and the caller refuses such names with a clear message. A `$`
    // right after an identifier's character is part of it (`price$usd`), not a parameter, and would
    // otherwise take a number from the `?`s after it.
    for (const m of stripped.matchAll(/(?<![A-Za-z0-9_$\u0080-\uffff])[@:$]([A-Za-z0-9_]+)|\?([0-9]*)/g)) {
      const offset = m.index;
      if (m[1] !== undefined) {
        const key = m[1];
        let index = named.get(key);
        if (index === undefined) {
          index = ++max;
          named.set(key, index);
        }
        tokens.push({ offset, key, index, spelling: 'named' });
      } else if (m[2] !== undefined && m[2] !== '') {
        const index = Number(m[2]);
        max = Math.max(max, index);
        tokens.push({ offset, key: `?${index}`, index, spelling: 'numbered' });
      } else {
        const index = ++max;
        tokens.push({ offset, key: `?${index}`, index, spelling: 'anonymous' });
      }
    }
    return new ParameterUses(tokens);
  }

  /** Records what one occurrence of a parameter is used as. */
  note(
    node: Parameter,
    context: ParamContext = { kind: 'other' },
    hint?: AnalyzedType,
    flags: { readonly array?: boolean; readonly testsNull?: boolean } = {},
  ): void {
    const offset = node.range?.[0] ?? -1;
    let o = this.#occurrences.get(offset);
    if (o === undefined) {
      o = { context, hints: [], array: false, testsNull: false };
      this.#occurrences.set(offset, o);
    } else if (o.context.kind === 'other') o.context = context;
    if (hint !== undefined) o.hints.push(hint);
    if (flags.array === true) o.array = true;
    if (flags.testsNull === true) o.testsNull = true;
  }

  /** Every parameter, once, ordered by SQLite's number. */
  params(): DiscoveredParam[] {
    const byKey = new Map<string, { first: Token; inTree: boolean; uses: ParamUse[] }>();
    for (const token of this.#tokens) {
      const o = this.#occurrences.get(token.offset);
      let entry = byKey.get(token.key);
      if (entry === undefined) {
        entry = { first: token, inTree: false, uses: [] };
        byKey.set(token.key, entry);
      } else if (token.spelling === 'numbered' && entry.first.spelling === 'anonymous') {
        // `? … ?1`: SQLite gives the `?` number 1, then names that number `?1`, so it binds by key.
        entry.first = { ...entry.first, spelling: 'numbered' };
      }
      if (o === undefined) continue;
      entry.inTree = true;
      const known = o.hints.filter(constrains);
      const hint = known.length > 0 ? admittedByAll(known) : o.hints[0];
      entry.uses.push({ context: o.context, hint, array: o.array, testsNull: o.testsNull });
    }
    return [...byKey.values()]
      .map(({ first, inTree, uses }) => ({
        key: first.key,
        index: first.index,
        spelling: first.spelling,
        offset: first.offset,
        inTree,
        uses,
      }))
      .sort((a, b) => a.index - b.index);
  }
}

/**
 * The type of a parameter from its uses: what every use admits.
 *
 * 1. The hints that constrain it (a hint of `any` storage or of the NULL literal says nothing), of
 *    every use and of every context of one use, intersected ({@link admittedByAll}): `SET attempt =
 *    @n WHERE @n + 1 > 2` is an integer, `kind = @k AND @k || 'x' = …` keeps `kind`'s enum values.
 * 2. Nullable when every constraining hint admits NULL (`SET note = @p` with a nullable `note`) or
 *    the statement tests it for NULL (`@p IS NULL OR …`, `coalesce(@p, …)`, `col IS @p`); never for a
 *    JSON array.
 * 3. A JSON array nothing types holds integers, reals or text; a parameter nothing types is `any`
 *    (rendered `SqlValue`).
 *
 * @example
 * ```ts
 * parameterType(param.uses); // { storage: ['integer'], nullable: false }
 * ```
 */
export function parameterType(uses: readonly ParamUse[]): { type: AnalyzedType; array: boolean } {
  const array = uses.some((u) => u.array);
  const known = uses.map((u) => u.hint).filter((h): h is AnalyzedType => h !== undefined && constrains(h));
  if (known.length === 0) {
    return array
      ? { type: { storage: ['integer', 'real', 'text'], nullable: false }, array }
      : { type: ANY_VALUE, array };
  }
  const joined = admittedByAll(known);
  const nullable = (joined.nullable || uses.some((u) => u.testsNull)) && !array;
  // Where a value came from and whether a read of it is checked say nothing about a value bound.
  const { origin: _origin, checked: _checked, ...rest } = joined;
  return { type: { ...rest, nullable }, array };
}

/** Whether a hint says anything: some storage classes, not `any`, not only the NULL literal. */
function constrains(h: AnalyzedType): boolean {
  return h.storage !== 'any' && h.storage.length > 0;
}

/**
 * The values every one of `hints` (each constraining, at least one) admits: the storage classes they
 * share, the enum values they share (a hint without enum values admits any text), NULL only if every
 * hint admits it, the representation one of them sets. When they share no value (`id = @p AND name =
 * @p`), the statement can never use the parameter as every use demands: the union of the hints is
 * taken instead, as SQLite would convert the value for each use.
 */
function admittedByAll(hints: readonly AnalyzedType[]): AnalyzedType {
  const [first, ...rest] = hints as [AnalyzedType, ...AnalyzedType[]];
  let acc: AnalyzedType | undefined = first;
  for (const h of rest) {
    acc = acc === undefined ? undefined : intersectType(acc, h);
  }
  return acc ?? rest.reduce((a, h) => unionType(a, h), first);
}

function intersectType(a: AnalyzedType, b: AnalyzedType): AnalyzedType | undefined {
  if (a.storage === 'any' || b.storage === 'any') return undefined;
  const bStorage = b.storage;
  let storage: StorageClass[] = a.storage.filter((s) => bStorage.includes(s));
  let enumValues =
    a.enumValues !== undefined && b.enumValues !== undefined
      ? a.enumValues.filter((v) => b.enumValues?.includes(v) === true)
      : (a.enumValues ?? b.enumValues);
  if (enumValues !== undefined && (enumValues.length === 0 || !storage.includes('text'))) {
    if (enumValues.length === 0) storage = storage.filter((s) => s !== 'text');
    enumValues = undefined;
  }
  if (storage.length === 0) return undefined;
  const ra = a.representation;
  const rb = b.representation;
  const conflict = ra !== undefined && rb !== undefined && !sameRepresentation(ra, rb);
  const representation = conflict ? undefined : (ra ?? rb);
  const kept = representation === undefined || storage.includes(representationStorage(representation));
  return {
    storage,
    nullable: a.nullable && b.nullable,
    ...(enumValues === undefined ? {} : { enumValues }),
    ...(representation !== undefined && kept ? { representation } : {}),
  };
}
