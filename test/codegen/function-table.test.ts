import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { functionResultType } from '../../scripts/codegen/function-table.js';
import type { FullTextModule, FunctionForm } from '../../scripts/codegen/sqlite-functions.js';
import { EXCLUDED_FUNCTIONS, SQLITE_FUNCTIONS } from '../../scripts/codegen/sqlite-functions.js';
import type { StorageClass, ValueType } from '../../scripts/codegen/value-type.js';
import { ANY_VALUE } from '../../scripts/codegen/value-type.js';

// Every function of the table is called on the SQLite better-sqlite3 ships over a grid of argument
// literals (and, for aggregates and window functions, over tables of grid values); each result must
// have a storage class the table declares for those argument types, and be NULL only where it says so.

interface GridValue {
  readonly sql: string;
  readonly type: ValueType;
}

type Outcome =
  | { readonly ok: true; readonly classes: readonly (StorageClass | null)[] }
  | { readonly ok: false };

type Call = { distinct: boolean; star: boolean; window: boolean };

const db = new Database(':memory:');
db.defaultSafeIntegers(true);

const lit = (sql: string, storage: StorageClass): GridValue => ({
  sql,
  type: { storage: [storage], nullable: false },
});
const text = (s: string) => lit(`'${s.replaceAll("'", "''")}'`, 'text');
const NULL: GridValue = { sql: 'NULL', type: { storage: [], nullable: true } };
const JSONB = db.prepare(`SELECT hex(jsonb('{"a":1,"b":[2,"x"]}'))`).pluck().get() as string;

const GRID: readonly GridValue[] = [
  NULL,
  text(''),
  lit("X''", 'blob'),
  text('abc'),
  text('12'),
  text('1.5'),
  text(' 3 '),
  lit('0', 'integer'),
  lit('1', 'integer'),
  lit('-1', 'integer'),
  lit('2', 'integer'),
  lit('9007199254740993', 'integer'),
  lit('9223372036854775807', 'integer'),
  lit('-9223372036854775808', 'integer'),
  lit('0.5', 'real'),
  lit('-2.5', 'real'),
  lit('3.0', 'real'),
  lit('1e308', 'real'),
  lit('9e999', 'real'),
  lit('-9e999', 'real'),
  lit("X'00ff'", 'blob'),
  lit("X'3132'", 'blob'),
  lit(`X'${JSONB}'`, 'blob'),
  text('2024-01-02 03:04:05'),
  text('2024-01-02'),
  text('now'),
  text('+1 day'),
  text('subsec'),
  text('unixepoch'),
  text('%Y-%m-%d %H:%M:%f %s %J'),
  text('{"a":1,"b":[2,3.5,"x",null]}'),
  text('[1,2]'),
  text('"s"'),
  text('null'),
  text('{'),
  text('{"a":99999999999999999999}'),
  text('$.a'),
  text('$.b[1]'),
  text('$'),
  text('[[0,0],[1,0],[1,1],[0,1],[0,0]]'),
  text('%d %s %.2f'),
  text('\\u0041\\0042'),
  text('a%'),
];

/** A smaller grid whose full products reach the combinations functions of many arguments care about. */
const CORE: readonly GridValue[] = [
  NULL,
  lit('1', 'integer'),
  lit('2', 'integer'),
  lit('0.5', 'real'),
  text('abc'),
  text('$.a'),
  text('{"a":1,"b":[2,3.5,"x",null]}'),
  lit("X'00ff'", 'blob'),
];

const ALL_CLASSES: StorageClass[] = ['integer', 'real', 'text', 'blob'];

function classOf(v: unknown): StorageClass | null {
  if (v === null) return null;
  if (typeof v === 'bigint') return 'integer';
  if (typeof v === 'number') return 'real';
  if (typeof v === 'string') return 'text';
  if (Buffer.isBuffer(v)) return 'blob';
  throw new TypeError(`unexpected value ${String(v)}`);
}

function covers(declared: ValueType | undefined, actual: StorageClass | null): boolean {
  if (declared === undefined) return false;
  if (actual === null) return declared.nullable;
  return declared.storage === 'any' || declared.storage.includes(actual);
}

function show(t: ValueType | undefined): string {
  if (t === undefined) return 'undefined';
  return `${t.storage === 'any' ? 'any' : `[${t.storage.join(',')}]`}${t.nullable ? '?' : ''}`;
}

/** Deterministic pseudo-random integers (mulberry32), seeded per function so runs are repeatable. */
function random(seedText: string): (n: number) => number {
  let seed = [...seedText].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 2654435761), 7);
  return (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) as number;
  };
}

/**
 * Argument tuples of one arity: every grid value in every position, the full product up to two
 * arguments, and beyond that the full product of the core grid plus a deterministic sample.
 */
function tuples(arity: number, seed: string): GridValue[][] {
  if (arity === 0) return [[]];
  if (arity <= 2) return product(GRID, arity);
  const pick = random(`${seed}/${arity}`);
  const out: GridValue[][] = GRID.map((_, i) =>
    Array.from({ length: arity }, (_, p) => GRID[(i + p * 7) % GRID.length]!),
  );
  const core = arity === 3 ? product(CORE, 3) : [];
  out.push(...core);
  const extra = arity === 3 ? 300 : 400;
  for (let j = 0; j < extra; j++) {
    const from = j % 2 === 0 ? GRID : CORE;
    out.push(Array.from({ length: arity }, () => from[pick(from.length)]!));
  }
  return out;
}

function product(values: readonly GridValue[], arity: number): GridValue[][] {
  let out: GridValue[][] = [[]];
  for (let p = 0; p < arity; p++) out = out.flatMap((t) => values.map((v) => [...t, v]));
  return out;
}

function arities(form: FunctionForm): number[] {
  const out: number[] = [];
  for (let k = form.min; k <= Math.min(form.max, form.min + 4); k++) out.push(k);
  return out;
}

const outcomes = new Map<string, Outcome>();
const errorMessages = new Map<string, number>();

function run(sql: string, all: boolean): Outcome {
  const known = outcomes.get(sql);
  if (known !== undefined) return known;
  let outcome: Outcome;
  try {
    const stmt = db.prepare(sql).pluck();
    const values = all ? stmt.all() : [stmt.get()];
    outcome = { ok: true, classes: values.map(classOf) };
  } catch (e) {
    if (!(e instanceof Database.SqliteError)) throw e;
    const key = e.message.replace(/\d+/g, 'N');
    errorMessages.set(key, (errorMessages.get(key) ?? 0) + 1);
    outcome = { ok: false };
  }
  outcomes.set(sql, outcome);
  return outcome;
}

interface Tally {
  calls: number;
  errors: number;
  violations: string[];
}

const totals = { functions: 0, calls: 0, errors: 0, violations: 0 };

/**
 * Checks one call: its result against the declared type, and for each argument position the declared
 * types with that argument widened (nullable, any class, unknown) against both this result and the
 * result with NULL in that position.
 */
function check(
  name: string,
  tally: Tally,
  types: readonly ValueType[],
  call: Call,
  sqlFor: (args: readonly (string | undefined)[]) => string,
  all: boolean,
): void {
  const outcome = run(sqlFor([]), all);
  tally.calls++;
  if (!outcome.ok) {
    tally.errors++;
    return;
  }
  const declared = functionResultType(name, types, call);
  for (const c of outcome.classes) {
    if (!covers(declared, c)) tally.violations.push(`${sqlFor([])} gave ${c}, declared ${show(declared)}`);
  }
  types.forEach((t, i) => {
    if (t.storage !== 'any' && t.storage.length === 0) return;
    const nulled = run(sqlFor(types.map((_, j) => (j === i ? 'NULL' : undefined))), all);
    const seen = nulled.ok ? [...outcome.classes, ...nulled.classes] : outcome.classes;
    for (const wide of [
      { ...t, nullable: true },
      { storage: ALL_CLASSES, nullable: true },
      { storage: 'any', nullable: true },
    ] as ValueType[]) {
      const widened = functionResultType(
        name,
        types.map((u, j) => (j === i ? wide : u)),
        call,
      );
      for (const c of seen) {
        if (!covers(widened, c)) {
          tally.violations.push(
            `${sqlFor([])} with argument ${i} widened to ${show(wide)}: ${c} not in ${show(widened)}`,
          );
        }
      }
    }
  });
}

const SCALAR: Call = { distinct: false, star: false, window: false };

function checkScalar(name: string, form: FunctionForm, tally: Tally): void {
  for (const k of arities(form)) {
    for (const args of tuples(k, name)) {
      const sqlFor = (over: readonly (string | undefined)[]) =>
        `SELECT "${name}"(${args.map((a, i) => over[i] ?? a.sql).join(', ')})`;
      check(
        name,
        tally,
        args.map((a) => a.type),
        SCALAR,
        sqlFor,
        false,
      );
    }
  }
}

// Row sets for aggregates and window functions: columns a0..a2 filled from groups of grid values.
const GROUPS: Record<string, readonly GridValue[]> = {
  null: [NULL, NULL, NULL],
  small: GRID.filter((v) => /^-?\d$/.test(v.sql)),
  integer: GRID.filter((v) => v.type.storage !== 'any' && v.type.storage[0] === 'integer'),
  real: GRID.filter((v) => v.type.storage !== 'any' && v.type.storage[0] === 'real'),
  text: GRID.filter((v) => v.type.storage !== 'any' && v.type.storage[0] === 'text'),
  numericText: [text('12'), text('1.5'), text(' 3 ')],
  blob: GRID.filter((v) => v.type.storage !== 'any' && v.type.storage[0] === 'blob'),
  mixed: GRID,
};

interface RowSet {
  readonly id: number;
  readonly types: readonly ValueType[];
}

db.exec('CREATE TABLE r (rs INTEGER, i INTEGER, g INTEGER, a0, a1, a2)');
const rowSets = new Map<string, RowSet>();

/** The row set whose columns hold these groups (cycled to the longest), created on first use. */
function rowSet(columns: readonly (readonly GridValue[])[]): RowSet {
  const key = columns.map((c) => c.map((v) => v.sql).join('|')).join('/');
  const known = rowSets.get(key);
  if (known !== undefined) return known;
  const id = rowSets.size;
  const length = Math.max(...columns.map((c) => c.length));
  const padded = [0, 1, 2].map((j) => columns[j] ?? GROUPS.small!);
  const rows = Array.from({ length }, (_, i) => {
    const cells = padded.map((c, j) => c[(i + j * 7) % c.length]!.sql);
    return `(${id}, ${i}, ${i % 2}, ${cells.join(', ')})`;
  });
  db.exec(`INSERT INTO r VALUES ${rows.join(', ')}`);
  const types = columns.map((c) => unionType(c.map((v) => v.type)));
  const set = { id, types };
  rowSets.set(key, set);
  return set;
}

function unionType(types: readonly ValueType[]): ValueType {
  const storage = new Set<StorageClass>();
  for (const t of types) if (t.storage !== 'any') for (const c of t.storage) storage.add(c);
  return { storage: [...storage], nullable: types.some((t) => t.nullable) };
}

const FRAMES = [
  '()',
  '(ORDER BY i)',
  '(ORDER BY i ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING)',
  '(PARTITION BY g ORDER BY i RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)',
  '(ORDER BY i ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW)',
];

/** Literal arguments after a column: every grid value in every position, and the core grid's product. */
function literalTuples(arity: number): GridValue[][] {
  const cover = GRID.map((_, i) => Array.from({ length: arity }, (_, p) => GRID[(i + p * 7) % GRID.length]!));
  return [...cover, ...product(CORE, arity)];
}

/** Argument sources for one arity: columns over row sets, or column a0 with literals after it. */
function aggregateCalls(arity: number): { set: RowSet; args: { sql: string; type: ValueType }[] }[] {
  const groups = Object.values(GROUPS);
  const calls: { set: RowSet; args: { sql: string; type: ValueType }[] }[] = [];
  const columns = (set: RowSet, n: number) =>
    Array.from({ length: n }, (_, j) => ({ sql: `a${j}`, type: set.types[j]! }));
  // Every pair of groups in the first two columns; a third column repeats the first one's group.
  const width = Math.min(Math.max(arity, 1), 2);
  for (const combo of product(
    groups.map((g, i) => ({ sql: String(i), type: g[0]!.type })),
    width,
  )) {
    const chosen = combo.map((c) => groups[Number(c.sql)]!);
    const set = rowSet(arity === 3 ? [...chosen, chosen[0]!] : chosen);
    calls.push({ set, args: columns(set, arity) });
    if (arity === 0) break;
  }
  for (let i = 0; i < GRID.length; i++) {
    const set = rowSet([0, 1, 2].slice(0, Math.max(arity, 1)).map((j) => [GRID[(i + j * 7) % GRID.length]!]));
    calls.push({ set, args: columns(set, arity) });
  }
  if (arity >= 2) {
    for (const g of [GROUPS.null!, GROUPS.small!, GROUPS.text!, GROUPS.mixed!]) {
      const set = rowSet([g]);
      for (const rest of literalTuples(arity - 1)) calls.push({ set, args: [...columns(set, 1), ...rest] });
    }
  }
  return calls;
}

function checkAggregate(name: string, form: FunctionForm, tally: Tally): void {
  const window = form.kind === 'aggregate' || form.kind === 'window';
  const plain = form.kind === 'aggregate' || form.kind === 'aggregate-no-window';
  for (const k of arities(form).filter((n) => n <= 3)) {
    for (const { set, args } of aggregateCalls(k)) {
      const types = args.map((a) => a.type);
      const list = (over: readonly (string | undefined)[]) => args.map((a, i) => over[i] ?? a.sql).join(', ');
      const where = `FROM r WHERE rs = ${set.id}`;
      const stars = k === 0 ? [false, true] : [false];
      for (const star of stars) {
        const argText = (over: readonly (string | undefined)[]) => (star ? '*' : list(over));
        if (plain) {
          const call = { distinct: false, star, window: false };
          check(name, tally, types, call, (o) => `SELECT "${name}"(${argText(o)}) ${where}`, true);
          check(name, tally, types, call, (o) => `SELECT "${name}"(${argText(o)}) ${where} AND 0`, true);
          check(name, tally, types, call, (o) => `SELECT "${name}"(${argText(o)}) ${where} GROUP BY g`, true);
          if (k === 1) {
            const distinct = { distinct: true, star: false, window: false };
            check(
              name,
              tally,
              types,
              distinct,
              (o) => `SELECT "${name}"(DISTINCT ${list(o)}) ${where}`,
              true,
            );
          }
        }
        if (window) {
          const call = { distinct: false, star, window: true };
          for (const frame of FRAMES) {
            check(
              name,
              tally,
              types,
              call,
              (o) => `SELECT "${name}"(${argText(o)}) OVER ${frame} ${where}`,
              true,
            );
          }
        }
      }
    }
  }
}

// Full-text tables for the auxiliary functions: columns c0..c2 hold grid values (rotated as in the row
// sets), k a token every row matches. `f5l` stores every other value of c0 with a locale.
const FULL_TEXT: Record<FullTextModule, readonly string[]> = { fts5: ['f5', 'f5l'], fts3: ['f3', 'f4'] };
{
  const using: Record<string, string> = { f5: 'fts5', f5l: 'fts5', f3: 'fts3', f4: 'fts4' };
  const rows = [
    ...GRID.map((_, i) => [0, 1, 2].map((j) => GRID[(i + j * 7) % GRID.length]!.sql)),
    ['NULL', 'NULL', 'NULL'],
  ];
  for (const [table, module] of Object.entries(using)) {
    db.exec(
      `CREATE VIRTUAL TABLE ${table} USING ${module}(c0, c1, c2, k${table === 'f5l' ? ', locale=1' : ''})`,
    );
    const values = rows.map((cells, i) => {
      const c0 = table === 'f5l' ? `fts5_locale(${i % 2 === 0 ? "'en'" : 'NULL'}, ${cells[0]})` : cells[0];
      return `(${[c0, ...cells.slice(1)].join(', ')}, 'hit')`;
    });
    db.exec(`INSERT INTO ${table} VALUES ${values.join(', ')}`);
  }
}
const FULL_TEXT_FILTERS = ['', "WHERE {t} MATCH 'hit'", "WHERE {t} MATCH 'hit OR abc OR 12 OR a OR 1'"];

/**
 * An auxiliary function called as users call it: its first argument the table, the others grid values,
 * in queries over each table of its modules, with and without MATCH. The table argument is typed as the
 * analyzer types a bare name it cannot resolve to a column: any value.
 */
function checkFullText(name: string, form: FunctionForm, tally: Tally): void {
  const last = Math.min(form.max, form.min + 5);
  for (let k = Math.max(form.min, 1); k <= last; k++) {
    for (const args of tuples(k - 1, name)) {
      for (const table of (form.fullText ?? []).flatMap((m) => FULL_TEXT[m])) {
        for (const filter of FULL_TEXT_FILTERS) {
          const sqlFor = (over: readonly (string | undefined)[]) =>
            `SELECT "${name}"(${[table, ...args.map((a, i) => over[i + 1] ?? a.sql)].join(', ')}) ` +
            `FROM ${table} ${filter.replace('{t}', table)}`;
          check(name, tally, [ANY_VALUE, ...args.map((a) => a.type)], SCALAR, sqlFor, true);
        }
      }
    }
  }
}

/** Whether SQLite runs this call shape of an auxiliary function on some full-text table. */
function runsOnSomeFullTextTable(name: string, count: number, call: Call): boolean {
  for (const table of Object.values(FULL_TEXT).flat()) {
    // No one filler suits every function: matchinfo() refuses a number, fts5_get_locale() a non-integer.
    for (const filler of ['0.5', 'NULL', '0']) {
      const args = count === 0 ? [] : [table, ...Array.from({ length: count - 1 }, () => filler)];
      const list = call.star ? '*' : `${call.distinct ? 'DISTINCT ' : ''}${args.join(', ')}`;
      const sql = `SELECT "${name}"(${list})${call.window ? ' OVER ()' : ''} FROM ${table} WHERE ${table} MATCH 'hit'`;
      try {
        db.prepare(sql).all();
        return true;
      } catch (e) {
        if (!(e instanceof Database.SqliteError)) throw e;
      }
    }
  }
  return false;
}

describe('functionResultType', () => {
  afterAll(() => {
    const messages = [...errorMessages].sort((a, b) => b[1] - a[1]);
    console.log(
      `function table: ${totals.functions} functions, ${totals.calls} calls, ${totals.errors} SQLite errors, ` +
        `${totals.violations} violations, ${EXCLUDED_FUNCTIONS.length} exclusions\n` +
        messages.map(([m, n]) => `  ${n} × ${m}`).join('\n'),
    );
  });

  it('should hold or explicitly exclude every function pragma_function_list reports, and nothing else', () => {
    const listed = db
      .prepare('SELECT DISTINCT name FROM pragma_function_list ORDER BY name')
      .pluck()
      .all() as string[];
    const held = SQLITE_FUNCTIONS.map((f) => f.name);
    const excluded = EXCLUDED_FUNCTIONS.map((f) => f.name);
    expect([...held, ...excluded].sort()).toEqual(listed);
    expect(new Set([...held, ...excluded]).size).toBe(held.length + excluded.length);
    expect(EXCLUDED_FUNCTIONS.every((f) => f.reason.length > 0)).toBe(true);
  });

  it('should accept exactly the calls SQLite accepts: argument counts, OVER, DISTINCT and *', () => {
    const mismatches: string[] = [];
    for (const { name, forms } of SQLITE_FUNCTIONS) {
      const fullText = forms.some((f) => f.fullText !== undefined);
      const shapes: { call: Call; count: number; sql: string }[] = [];
      for (let k = 0; k <= 8; k++) {
        // 0.5, not 1: likelihood() refuses at prepare time a probability that is not a real constant.
        const ones = Array.from({ length: k }, () => '0.5').join(', ');
        shapes.push({ call: SCALAR, count: k, sql: `SELECT "${name}"(${ones})` });
        const window = { distinct: false, star: false, window: true };
        shapes.push({ call: window, count: k, sql: `SELECT "${name}"(${ones}) OVER () FROM (SELECT 1)` });
        const distinct = { distinct: true, star: false, window: false };
        if (k > 0) shapes.push({ call: distinct, count: k, sql: `SELECT "${name}"(DISTINCT ${ones})` });
        const both = { distinct: true, star: false, window: true };
        if (k > 0)
          shapes.push({
            call: both,
            count: k,
            sql: `SELECT "${name}"(DISTINCT ${ones}) OVER () FROM (SELECT 1)`,
          });
      }
      shapes.push({
        call: { distinct: false, star: true, window: false },
        count: 0,
        sql: `SELECT "${name}"(*)`,
      });
      const starOver = { distinct: false, star: true, window: true };
      shapes.push({ call: starOver, count: 0, sql: `SELECT "${name}"(*) OVER () FROM (SELECT 1)` });
      for (const { call, count, sql } of shapes) {
        let accepted = true;
        if (fullText) accepted = runsOnSomeFullTextTable(name, count, call);
        else {
          try {
            db.prepare(sql);
          } catch {
            accepted = false;
          }
        }
        const args = Array.from(
          { length: count },
          () => ({ storage: ['real'], nullable: false }) as ValueType,
        );
        const declared = functionResultType(name.toUpperCase(), args, call) !== undefined;
        if (declared !== accepted) mismatches.push(`${sql}: SQLite ${accepted}, table ${declared}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('should match pragma_function_list on how each function may be called', () => {
    const rows = db.prepare('SELECT name, type FROM pragma_function_list').all() as {
      name: string;
      type: string;
    }[];
    const kinds = new Map(SQLITE_FUNCTIONS.map((f) => [f.name, new Set(f.forms.map((x) => x.kind))]));
    const expected: Record<string, string[]> = {
      s: ['scalar'],
      a: ['aggregate-no-window'],
      w: ['aggregate', 'window'],
    };
    const wrong = rows.filter(
      (r) => kinds.has(r.name) && !expected[r.type]!.some((k) => kinds.get(r.name)!.has(k as never)),
    );
    expect(wrong).toEqual([]);
  });

  for (const fn of SQLITE_FUNCTIONS) {
    it(`should type every ${fn.name} call of the grid as SQLite returns it`, () => {
      const tally: Tally = { calls: 0, errors: 0, violations: [] };
      for (const form of fn.forms) {
        if (form.fullText !== undefined) checkFullText(fn.name, form, tally);
        else if (form.kind === 'scalar') checkScalar(fn.name, form, tally);
        else checkAggregate(fn.name, form, tally);
      }
      totals.functions++;
      totals.calls += tally.calls;
      totals.errors += tally.errors;
      totals.violations += tally.violations.length;
      expect(tally.calls).toBeGreaterThan(tally.errors);
      expect(tally.violations.slice(0, 20)).toEqual([]);
    });
  }

  it('should have checked every function of the table with no violation', () => {
    expect(totals.functions).toBe(SQLITE_FUNCTIONS.length);
    expect(totals.violations).toBe(0);
  });
});
