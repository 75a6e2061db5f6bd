import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AnalyzedQuery, ParamField, ResultField } from '../../scripts/codegen/analyzed-query.js';
import { loadCodegenConfig } from '../../scripts/codegen/codegen-config.js';
import { analyzeProject } from '../../scripts/codegen/generate.js';
import { functionNameOf } from '../../scripts/codegen/naming.js';
import { DbPools, DbWriteTransaction, loadMigrations } from '../../src/db/index.js';
import { makeTempDir } from '../support/open-test-pools.js';
import { type CodegenCase, codegenCases } from './codegen-cases.js';

type Fn = (conn: unknown, params?: unknown) => unknown;

/**
 * Whether a value returned at run time is one of the field's declared storage classes: an integer is
 * a whole number (a `bigint` where the column is configured so), a real any number, text a string
 * (one of its enum values), a blob a Buffer; a `boolean` override a boolean, a `Date` one a valid Date.
 */
function admits(f: ResultField, bigintMode: boolean, value: unknown): boolean {
  const { type } = f;
  if (value === null) return type.nullable || type.storage === 'any';
  // A json override column is typed by its decoder (or `unknown`), which did the checking; an alias
  // override is the query author's claim.
  if (type.representation?.kind === 'json' || f.tsOverride !== undefined) return true;
  if (type.representation?.kind === 'boolean') return typeof value === 'boolean';
  if (type.representation?.kind === 'date') return value instanceof Date && !Number.isNaN(value.getTime());
  if (type.storage === 'any') return true;
  return type.storage.some((s) => {
    switch (s) {
      case 'integer':
        if (type.representation?.kind === 'bigint') return typeof value === 'bigint';
        return bigintMode ? typeof value === 'number' && Number.isInteger(value) : Number.isInteger(value);
      case 'real':
        return typeof value === 'number';
      case 'text':
        return (
          typeof value === 'string' && (type.enumValues === undefined || type.enumValues.includes(value))
        );
      default:
        return Buffer.isBuffer(value);
    }
  });
}

function sampleValue(p: ParamField): unknown {
  const { type } = p;
  const first = type.storage === 'any' ? undefined : type.storage[0];
  const scalar = (): unknown => {
    if (type.representation?.kind === 'boolean') return true;
    if (type.representation?.kind === 'date') return new Date('2000-01-01T00:00:00.000Z');
    if (type.representation?.kind === 'json' && type.representation.encode === true) return { sample: [1] };
    if (first === 'integer') return type.representation?.kind === 'bigint' ? 1n : 1;
    if (first === 'real') return 1.5;
    if (first === 'text') return type.enumValues?.[0] ?? 'ann';
    if (first === 'blob') return Buffer.from('x');
    return 1;
  };
  if (p.array) return [scalar(), scalar()];
  return type.nullable ? null : scalar();
}

/**
 * Parameters for the `call`-th call of a query: synthesized from the declared types, overridden by the
 * case's `params.json` (`{ "QueryName": {...} }`, or a list of objects, one per call).
 */
function paramsFor(c: CodegenCase, q: AnalyzedQuery, call: number): Record<string, unknown> | undefined {
  if (q.params.length === 0) return undefined;
  const file = join(c.dir, 'params.json');
  type Given = Record<string, unknown>;
  const given = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Given | Given[]>)[q.block.name]
    : undefined;
  const overrides: Given = (Array.isArray(given) ? (given[call] ?? given.at(-1)) : given) ?? {};
  const params: Record<string, unknown> = {};
  for (const p of q.params) params[p.field] = p.field in overrides ? overrides[p.field] : sampleValue(p);
  return params;
}

/** Asserts a function's result against its command and declared row type; returns the rows seen. */
function checkResult(q: AnalyzedQuery, result: unknown): Record<string, unknown>[] {
  const where = `${q.block.name}`;
  switch (q.block.command) {
    case ':exec':
      expect(result, where).toBeUndefined();
      return [];
    case ':execrows':
      expect(Number.isInteger(result), where).toBe(true);
      return [];
    case ':execlastid':
      expect(Number.isInteger(result) && (result as number) > 0, where).toBe(true);
      return [];
    case ':execresult': {
      const { changes, lastInsertRowid } = result as { changes: unknown; lastInsertRowid: unknown };
      expect(Number.isInteger(changes), where).toBe(true);
      expect(typeof lastInsertRowid === 'number' || typeof lastInsertRowid === 'bigint', where).toBe(true);
      return [];
    }
    case ':one':
      // A `:one` typed without `| undefined` must really return its row.
      if (q.alwaysRow) expect(result, `${where} promises a row`).toBeDefined();
      if (result === undefined) return [];
      return [checkRow(q, result)];
    case ':many':
      expect(Array.isArray(result), where).toBe(true);
      return (result as unknown[]).map((row) => checkRow(q, row));
  }
}

function checkRow(q: AnalyzedQuery, row: unknown): Record<string, unknown> {
  expect(typeof row, q.block.name).toBe('object');
  const record = row as Record<string, unknown>;
  const members = [...q.fields, ...q.embeds].sort((a, b) => a.index - b.index);
  expect(Object.keys(record), q.block.name).toEqual(members.map((m) => m.field));
  checkFields(q.block.name, q.fields, q.bigint, record);
  // An embedded table's row is an object of its own, checked against the table's columns.
  for (const e of q.embeds) checkFields(`${q.block.name}.${e.field}`, e.fields, q.bigint, record[e.field]);
  return record;
}

function checkFields(where: string, fields: readonly ResultField[], bigintMode: boolean, row: unknown): void {
  expect(typeof row, where).toBe('object');
  const record = row as Record<string, unknown>;
  for (const f of fields) {
    const value = record[f.field];
    expect(
      admits(f, bigintMode, value),
      `${where}.${f.field}: ${typeof value} ${String(value)} is not ${JSON.stringify(f.type)}`,
    ).toBe(true);
  }
}

async function openCase(c: CodegenCase, seeded: boolean): Promise<DbPools> {
  const path = join(makeTempDir('msb-codegen-truth-'), 'case.db');
  const pools = await DbPools.open(path, {
    migrations: loadMigrations(join(c.dir, 'schema')),
    connectTimeoutMs: 5_000,
  });
  if (seeded) {
    // The seed is plain SQL with several statements; a second connection applies it as a test fixture.
    const db = new Database(path);
    db.exec(readFileSync(join(c.dir, 'seed.sql'), 'utf8'));
    db.close();
  }
  return pools;
}

const cases = codegenCases().filter((c) => c.errorFile === undefined && existsSync(join(c.dir, 'seed.sql')));

describe('generated functions (run-time truth)', () => {
  for (const c of cases) {
    it(`should return only values of the declared types for ${c.name}, on empty and seeded tables`, async () => {
      const config = loadCodegenConfig(c.config);
      const analyzed = analyzeProject(config);
      const modules = new Map<string, Record<string, Fn>>();
      for (const file of analyzed.keys()) {
        modules.set(
          file,
          (await import(join(c.dir, 'expected', `${basename(file, '.sql')}.ts`))) as Record<string, Fn>,
        );
      }
      const fnOf = (file: string, q: AnalyzedQuery): Fn => {
        const name = functionNameOf(q.block.name, config.naming.functions);
        const fn = modules.get(file)?.[name];
        expect(typeof fn, name).toBe('function');
        return fn as Fn;
      };
      const nonNullSeen = new Set<string>();
      for (const seeded of [false, true]) {
        const pools = await openCase(c, seeded);
        try {
          for (const [file, queries] of analyzed) {
            for (const q of queries) {
              const fn = fnOf(file, q);
              const results: unknown[] = [];
              if (q.block.tag === ':read') {
                results.push(fn(pools.read, paramsFor(c, q, 0)));
                results.push(await pools.write.transaction((tx) => fn(tx, paramsFor(c, q, 1))));
              } else if (seeded) {
                // Writes run on seeded data, through the retried-transaction overload and the handle.
                results.push(await fn(pools.write, paramsFor(c, q, 0)));
                results.push(await pools.write.transaction((tx) => fn(tx, paramsFor(c, q, 1))));
              }
              for (const result of results) {
                expect(result instanceof Promise, q.block.name).toBe(false);
                for (const row of checkResult(q, result)) {
                  for (const [k, v] of Object.entries(row))
                    if (v !== null) nonNullSeen.add(`${q.block.name}.${k}`);
                }
              }
            }
          }
        } finally {
          await pools.close();
        }
      }
      // The seeds are meant to produce rows: every read query's declared fields were exercised.
      for (const queries of analyzed.values()) {
        for (const q of queries) {
          if (q.block.tag !== ':read' || q.fields.length + q.embeds.length === 0) continue;
          const seen = [...q.fields, ...q.embeds].filter((f) =>
            nonNullSeen.has(`${q.block.name}.${f.field}`),
          );
          expect(seen.length, `${q.block.name} returned no non-null value at all`).toBeGreaterThan(0);
        }
      }
    });
  }

  it('should treat an empty id list as matching nothing, with one cached statement for every length', async () => {
    const c = cases.find((k) => k.name === 'json-each-array');
    expect(c).toBeDefined();
    const mod = (await import(join(c?.dir ?? '', 'expected', 'ids.ts'))) as Record<string, Fn>;
    const pools = await openCase(c as CodegenCase, true);
    try {
      const itemsByIds = mod.itemsByIds as Fn;
      const deleteItems = mod.deleteItems as Fn;
      expect(itemsByIds(pools.read, { ids: [] })).toEqual([]);
      expect(itemsByIds(pools.read, { ids: [3, 1] })).toEqual([
        { id: 1, title: 'pen' },
        { id: 3, title: 'ink' },
      ]);
      expect(itemsByIds(pools.read, { ids: [1, 2, 3, 4, 5] })).toHaveLength(3);
      expect(await deleteItems(pools.write, { ids: [] })).toBe(0);
      expect(await deleteItems(pools.write, { ids: [1, 2] })).toBe(2);
      expect(itemsByIds(pools.read, { ids: [1, 2, 3] })).toEqual([{ id: 3, title: 'ink' }]);
    } finally {
      await pools.close();
    }
  });

  it('should bind ? in order, ?NNN by number and reuse one number for all its uses', async () => {
    const c = cases.find((k) => k.name === 'positional-params');
    const mod = (await import(join(c?.dir ?? '', 'expected', 'positional.ts'))) as Record<string, Fn>;
    const pools = await openCase(c as CodegenCase, true);
    try {
      expect((mod.itemsInPriceRange as Fn)(pools.read, { fromPrice: 1, toPrice: 2 })).toEqual([
        { id: 1, title: 'pen' },
        { id: 2, title: 'cup' },
      ]);
      expect((mod.itemsPage as Fn)(pools.read, { limit: 1, offset: 2 })).toEqual([{ id: 3, title: 'ink' }]);
      expect((mod.ownerByIdTwice as Fn)(pools.read, { id: 3 })).toEqual({ id: 3 });
      expect((mod.ownersByNameOrEmail as Fn)(pools.read, { name: 'ann@example.com', kind: 'team' })).toEqual([
        { id: 1 },
        { id: 2 },
      ]);
      await (mod.upsertOwner as Fn)(pools.write, { id: 2, name: 'devops', kind: 'team' });
      expect((mod.ownerById as Fn)(pools.read, { id: 2 })).toEqual({ id: 2, name: 'devops' });
      expect(await (mod.renameOwner as Fn)(pools.write, { name: 'bea', email: 'b@example.com', id: 3 })).toBe(
        1,
      );
      expect((mod.ownersByNameOrEmail as Fn)(pools.read, { name: 'b@example.com', kind: 'x' })).toEqual([
        { id: 3 },
      ]);
    } finally {
      await pools.close();
    }
  });

  it('should run sqlc macros as the SQL they stand for: lists of any length, null arguments, nested rows', async () => {
    const c = cases.find((k) => k.name === 'sqlc-macros');
    const mod = (await import(join(c?.dir ?? '', 'expected', 'macros.ts'))) as Record<string, Fn>;
    const pools = await openCase(c as CodegenCase, true);
    try {
      const call = (fn: string, params?: object): unknown => (mod[fn] as Fn)(pools.read, params);
      expect(call('itemsIn', { ids: [] })).toEqual([]);
      expect(call('itemsIn', { ids: [3, 1] })).toEqual([
        { id: 1, title: 'pen' },
        { id: 3, title: 'ink' },
      ]);
      // NOT IN an empty list holds for every row (sqlc's `IN (NULL)` rewrite would match none).
      expect(call('itemsNotIn', { ids: [] })).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
      expect(call('itemsNotIn', { ids: [1, 3] })).toEqual([{ id: 2 }]);
      expect(call('ownersNamed', { name: null, email: null })).toEqual([{ id: 2 }, { id: 3 }]);
      expect(call('ownersNamed', { name: 'ann', email: 'none' })).toEqual([{ id: 1 }]);
      expect(call('ownersOfKindNamed', { kind: 'person', names: ['ann', 'ops', 'bob'] })).toEqual([
        { id: 1 },
        { id: 3 },
      ]);
      expect(call('itemWithOwner', { id: 3 })).toEqual({
        item: {
          id: 3,
          ownerId: 1,
          title: 'ink',
          price: 0.5,
          qty: 10,
          note: null,
          data: Buffer.from(''),
          extra: 'text',
        },
        owner: { id: 1, name: 'ann', email: 'ann@example.com', kind: 'person', tier: 'pro' },
      });
      expect(call('ownerTwice', { id: 2 })).toEqual({
        owner: { id: 2, name: 'ops', email: null, kind: 'team', tier: null },
        owner_2: { id: 2, name: 'ops', email: null, kind: 'team', tier: null },
      });
      expect(call('ownersWithItemCount')).toEqual([
        {
          owner: { id: 1, name: 'ann', email: 'ann@example.com', kind: 'person', tier: 'pro' },
          itemCount: 2,
        },
        { owner: { id: 2, name: 'ops', email: null, kind: 'team', tier: null }, itemCount: 0 },
        { owner: { id: 3, name: 'bob', email: null, kind: 'person', tier: null }, itemCount: 0 },
      ]);
      expect(await (mod.retitleItems as Fn)(pools.write, { title: 'x', ids: [] })).toBe(0);
      expect(await (mod.retitleItems as Fn)(pools.write, { title: 'x', ids: [1, 2] })).toBe(2);
      expect(call('itemsTitled', { title: 'x' })).toEqual([{ id: 1 }, { id: 2 }]);
    } finally {
      await pools.close();
    }
  });

  it('should run a :exec, :execrows or :execlastid write with RETURNING to the end and discard its rows', async () => {
    const c = cases.find((k) => k.name === 'exec-returning');
    const mod = (await import(join(c?.dir ?? '', 'expected', 'exec.ts'))) as Record<string, Fn>;
    const pools = await openCase(c as CodegenCase, true);
    try {
      expect(await (mod.rowsIgnored as Fn)(pools.write, { name: 'crew' })).toBeUndefined();
      const crew = pools.read.get<{ kind: string }>("SELECT kind FROM owner WHERE name = 'crew'");
      expect(crew).toEqual({ kind: 'team' });
      // Three items cost less than 10: every one is restocked, and counted, not just the first returned.
      expect(await (mod.restockReturning as Fn)(pools.write, { maxPrice: 10 })).toBe(3);
      expect(pools.read.all<{ qty: number }>('SELECT qty FROM item ORDER BY id')).toEqual([
        { qty: 4 },
        { qty: 1 },
        { qty: 11 },
      ]);
      const id = (await (mod.addOwnerReturning as Fn)(pools.write, { name: 'eve' })) as number;
      expect(pools.read.get<{ name: string }>('SELECT name FROM owner WHERE id = @id', { id })).toEqual({
        name: 'eve',
      });
    } finally {
      await pools.close();
    }
  });

  it('should type a :one INSERT by whether it can skip its row, and keep that promise', async () => {
    const c = cases.find((k) => k.name === 'insert-returning-one');
    const mod = (await import(join(c?.dir ?? '', 'expected', 'insert.ts'))) as Record<string, Fn>;
    const analyzed = analyzeProject(loadCodegenConfig(c?.config ?? ''));
    const always = (analyzed.get('insert.sql') ?? []).filter((q) => q.alwaysRow).map((q) => q.block.name);
    expect(always).toEqual(['InsertOwner', 'ReplaceOwner', 'InsertOrReplaceOwner', 'UpsertOwnerEmail']);
    const pools = await openCase(c as CodegenCase, true);
    try {
      const call = (fn: string, params: object): Promise<unknown> =>
        Promise.resolve((mod[fn] as Fn)(pools.write, params));
      // The `| undefined` ones really can return nothing: a conflict, an empty SELECT, a trigger.
      expect(await call('insertOwnerOrIgnore', { name: 'ann' })).toBeUndefined();
      expect(await call('insertOwnerDoNothing', { name: 'ann' })).toBeUndefined();
      expect(await call('upsertOwnerIfNoEmail', { name: 'ann', email: 'b@example.com' })).toBeUndefined();
      expect(await call('copyOwner', { id: 99 })).toBeUndefined();
      expect(await call('insertTag', { label: '' })).toBeUndefined();
      expect(await call('renameOwner', { id: 99, name: 'x' })).toBeUndefined();
      // The promised ones return the row, also when a conflict replaces or updates.
      expect(await call('replaceOwner', { id: 2, name: 'ops-2' })).toEqual({
        id: 2,
        name: 'ops-2',
        kind: 'team',
      });
      expect(await call('upsertOwnerEmail', { name: 'ann', email: 'a@example.com' })).toEqual({
        id: 1,
        email: 'a@example.com',
      });
    } finally {
      await pools.close();
    }
  });

  it('should return json override columns decoded, and leave expressions over them as text', async () => {
    const c = cases.find((k) => k.name === 'json-override');
    const mod = (await import(join(c?.dir ?? '', 'expected', 'bag.ts'))) as Record<string, Fn>;
    const pools = await openCase(c as CodegenCase, true);
    try {
      expect((mod.getBag as Fn)(pools.read, { id: 1 })).toEqual({
        id: 1,
        labels: { team: 'ops' },
        meta: [1, 2],
      });
      expect((mod.getBag as Fn)(pools.read, { id: 2 })).toEqual({ id: 2, labels: {}, meta: null });
      expect((mod.listBagLabels as Fn)(pools.read)).toEqual([
        { labels: { team: 'ops' }, metaText: '[1,2]' },
        { labels: {}, metaText: 'null' },
      ]);
      await (mod.insertBag as Fn)(pools.write, { labels: '["not", "an object"]', meta: null });
      expect(() => (mod.listBagLabels as Fn)(pools.read)).toThrow(TypeError);
    } finally {
      await pools.close();
    }
  });

  it('should return a configured bigint column exactly, beyond 2^53', async () => {
    const c = cases.find((k) => k.name === 'bigint-override');
    const mod = (await import(join(c?.dir ?? '', 'expected', 'big.ts'))) as Record<string, Fn>;
    const pools = await openCase(c as CodegenCase, true);
    try {
      const getCounter = mod.getCounter as Fn;
      expect(getCounter(pools.read, { id: 1 })).toEqual({
        id: 1,
        name: 'big',
        hits: 9007199254740993n,
        ratio: 0.5,
        note: null,
      });
      expect(await (mod.bumpCounter as Fn)(pools.write, { id: 2, hits: 9007199254740995n })).toBe(1);
      expect((getCounter(pools.read, { id: 2 }) as { hits: bigint }).hits).toBe(9007199254740995n);
    } finally {
      await pools.close();
    }
  });

  it('should run a :write function synchronously on the transaction handle and roll it back with it', async () => {
    const c = cases.find((k) => k.name === 'write-in-transaction');
    const mod = (await import(join(c?.dir ?? '', 'expected', 'tx.ts'))) as Record<string, Fn>;
    const pools = await openCase(c as CodegenCase, true);
    try {
      const moveItems = mod.moveItems as Fn;
      const ownerIdByName = mod.ownerIdByName as Fn;
      const failure = pools.write.transaction((tx) => {
        expect(tx).toBeInstanceOf(DbWriteTransaction);
        const ann = ownerIdByName(tx, { name: 'ann' }) as { id: number };
        expect(moveItems(tx, { toOwner: 2, fromOwner: ann.id })).toBe(2);
        throw new RangeError('abort after the move');
      });
      await expect(failure).rejects.toThrow(RangeError);
      expect(await moveItems(pools.write, { toOwner: 3, fromOwner: 2 })).toBe(0);
      expect(await moveItems(pools.write, { toOwner: 3, fromOwner: 1 })).toBe(2);
    } finally {
      await pools.close();
    }
  });
});
