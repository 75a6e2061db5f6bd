import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadCodegenConfig } from '../../scripts/codegen/codegen-config.js';
import { generate } from '../../scripts/codegen/generate.js';
import { DbDecodeError, DbPools, loadMigrations } from '../../src/db/index.js';
import type * as EventModule from '../fixtures/codegen/overrides-non-strict/expected/event.js';
import { makeTempDir } from '../support/open-test-pools.js';
import { CASES_DIR } from './codegen-cases.js';

const CASE = join(CASES_DIR, 'overrides-non-strict');

/** The generated module of the case (the golden test keeps it equal to what the generator writes). */
async function eventModule(): Promise<typeof EventModule> {
  return (await import(join(CASE, 'expected', 'event.ts'))) as typeof EventModule;
}

async function openCase(): Promise<{ pools: DbPools; path: string }> {
  const path = join(makeTempDir('msb-checked-decoding-'), 'case.db');
  const pools = await DbPools.open(path, {
    migrations: loadMigrations(join(CASE, 'schema')),
    connectTimeoutMs: 5_000,
  });
  return { pools, path };
}

const GOOD: EventModule.InsertEventParams = {
  name: 'boot',
  hits: 3,
  price: 9.5,
  happenedAt: new Date('2024-05-01T10:00:00.000Z'),
  seenAt: new Date('2024-05-02T08:30:00.250Z'),
  updated: '2024-05-01 10:00:00',
  day: '2024-05-01',
  active: true,
  archived: false,
  payload: { k: [1, 2] },
  meta: { note: 'first' },
};

/** What a wrong value stored on purpose must give: the column the error names and a piece of the value. */
interface Wrong {
  readonly column: string;
  readonly sql: string;
  readonly value: string;
  readonly table?: string;
}

const WRONG: readonly Wrong[] = [
  { column: 'hits', sql: `'abc'`, value: 'text "abc"' },
  { column: 'name', sql: `x'00ff'`, value: 'blob of 2 bytes' },
  { column: 'price', sql: `'cheap'`, value: 'text "cheap"' },
  { column: 'active', sql: '2', value: 'integer 2' },
  { column: 'archived', sql: `'yes'`, value: 'text "yes"' },
  { column: 'happened_at', sql: `'x'`, value: 'text "x"' },
  { column: 'happened_at', sql: '1714557600', value: 'integer 1714557600' },
  { column: 'seen_at', sql: `'2024-13-45 99:99:99'`, value: 'text "2024-13-45 99:99:99"' },
  { column: 'updated', sql: '5', value: 'integer 5' },
  // DATE has NUMERIC affinity: text that looks like a number is stored as one.
  { column: 'day', sql: `'20240501'`, value: 'integer 20240501' },
  { column: 'payload', sql: `'{bad'`, value: 'text "{bad"' },
  // JSONB has NUMERIC affinity too: JSON text that is a number is stored as the number, read as that
  // JSON value, which this column's decoder refuses (not an object or array).
  { column: 'payload', sql: `'3'`, value: 'integer 3' },
  { column: 'payload', sql: `jsonb('{"k":1}')`, value: 'blob of' },
  { column: 'meta', sql: `'{"other":1}'`, value: 'text "{\\"other\\":1}"' },
];

describe('checked decoding (overrides-non-strict)', () => {
  it('should generate the case without an unknown result field', () => {
    const files = generate(loadCodegenConfig(join(CASE, 'sqlc.yaml')));
    const text = [...files.values()].join('\n');
    expect(text).toContain('decodeFailed(');
    expect(text).not.toMatch(/^ {2}readonly \w+: unknown;$/m);
  });

  it('should round-trip the values written through the generated parameters', async () => {
    const m = await eventModule();
    const { pools } = await openCase();
    try {
      const id = await m.insertEvent(pools.write, GOOD);
      const nulls = await m.insertEvent(pools.write, {
        ...GOOD,
        price: null,
        seenAt: null,
        archived: null,
        meta: null,
      });
      const row = m.getEvent(pools.read, { id });
      expect(row).toEqual({ id, ...GOOD });
      expect(row?.happenedAt).toBeInstanceOf(Date);
      expect(m.getEvent(pools.read, { id: nulls })).toEqual({
        id: nulls,
        ...GOOD,
        price: null,
        seenAt: null,
        archived: null,
        meta: null,
      });
      expect(m.countActive(pools.read, { active: true })?.n).toBe(2);
      expect(await m.setEventActive(pools.write, { id, active: false, archived: true })).toBe(1);
      expect(m.getEvent(pools.read, { id })).toMatchObject({ active: false, archived: true });
      expect(m.listEventsSince(pools.read, { since: new Date('2024-05-01T09:00:00.000Z') })).toHaveLength(2);
      expect(m.listEventsSince(pools.read, { since: new Date('2024-05-01T11:00:00.000Z') })).toHaveLength(0);
    } finally {
      await pools.close();
    }
  });

  it('should read the times SQLite itself writes as UTC', async () => {
    const m = await eventModule();
    const { pools, path } = await openCase();
    try {
      const id = await m.insertEvent(pools.write, GOOD);
      const db = new Database(path);
      db.prepare(
        `UPDATE event SET happened_at = '2024-05-01 10:00:00', seen_at = '2024-05-01' WHERE id = ?`,
      ).run(id);
      db.close();
      const row = m.getEvent(pools.read, { id });
      expect(row?.happenedAt.toISOString()).toBe('2024-05-01T10:00:00.000Z');
      expect(row?.seenAt?.toISOString()).toBe('2024-05-01T00:00:00.000Z');
    } finally {
      await pools.close();
    }
  });

  for (const wrong of WRONG) {
    it(`should throw DbDecodeError for ${wrong.sql} stored in ${wrong.column}, naming the query, column and value`, async () => {
      const m = await eventModule();
      const { pools, path } = await openCase();
      try {
        const id = await m.insertEvent(pools.write, GOOD);
        const db = new Database(path);
        db.prepare(`UPDATE event SET ${wrong.column} = ${wrong.sql} WHERE id = ?`).run(id);
        db.close();
        for (const [query, read] of [
          ['GetEvent', () => m.getEvent(pools.read, { id })],
          ['ListEvents', () => m.listEvents(pools.read)],
        ] as const) {
          let caught: unknown;
          try {
            read();
          } catch (err) {
            caught = err;
          }
          expect(caught, `${query} read ${wrong.sql} from ${wrong.column}`).toBeInstanceOf(DbDecodeError);
          const err = caught as DbDecodeError;
          expect(err.code).toBe('DB_DECODE');
          expect(err.query).toBe(query);
          expect(err.column).toBe(`event.${wrong.column}`);
          expect(err.value).toContain(wrong.value);
          expect(err.message).toContain(`${query}: column event.${wrong.column}`);
        }
      } finally {
        await pools.close();
      }
    });
  }

  it('should check an expression passing a column on, and name the field', async () => {
    const m = await eventModule();
    const { pools, path } = await openCase();
    try {
      await m.insertEvent(pools.write, { ...GOOD, seenAt: null });
      const db = new Database(path);
      db.exec(`UPDATE event SET happened_at = 'soon', price = 'cheap'`);
      db.close();
      expect(() => m.listEventSummaries(pools.read)).toThrow(
        expect.objectContaining({ code: 'DB_DECODE', query: 'ListEventSummaries', column: 'lastSeen' }),
      );
    } finally {
      await pools.close();
    }
  });

  it('should say a JSONB blob is binary JSONB, and keep a decoder error as the cause', async () => {
    const m = await eventModule();
    const { pools, path } = await openCase();
    try {
      const id = await m.insertEvent(pools.write, GOOD);
      const db = new Database(path);
      db.prepare(`UPDATE event SET payload = jsonb('[1]') WHERE id = ?`).run(id);
      db.close();
      expect(() => m.getEvent(pools.read, { id })).toThrow(/binary JSONB: select json\(column\)/);
      const db2 = new Database(path);
      db2.prepare(`UPDATE event SET payload = '[1]', meta = '{}' WHERE id = ?`).run(id);
      db2.close();
      let caught: unknown;
      try {
        m.getEvent(pools.read, { id });
      } catch (err) {
        caught = err;
      }
      expect((caught as DbDecodeError).cause).toBeInstanceOf(TypeError);
    } finally {
      await pools.close();
    }
  });
});

describe(DbDecodeError, () => {
  it('should keep at most 60 characters of a long value', () => {
    const err = new DbDecodeError('Q', 't.c', 'number', 'x'.repeat(500));
    expect(err.value).toBe(`text "${'x'.repeat(60)}…"`);
    expect(err.message.length).toBeLessThan(120);
  });
});
