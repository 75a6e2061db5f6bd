import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeQuery } from '../../scripts/codegen/describe-query.js';
import { QUERY_COMMANDS, type QueryBlock, type QueryTag } from '../../scripts/codegen/query-block.js';
import { SchemaCatalog } from '../../scripts/codegen/schema-catalog.js';
import { CASES_DIR } from './codegen-cases.js';

const CASE = join(CASES_DIR, 'read-one');
const catalog = SchemaCatalog.load(join(CASE, 'schema'), CASE, ['0001_init.sql']);
afterAll(() => catalog.close());

/** The messages describeQuery gives for one statement under one tag and command. */
function messages(sql: string, tag: QueryTag, command: QueryBlock['command']): string[] {
  const block: QueryBlock = {
    path: 'queries/x.sql',
    name: 'Q',
    command,
    tag,
    doc: [],
    sql,
    line: 1,
    sqlLine: 3,
  };
  return describeQuery(block, catalog, new Map()).diagnostics.map((d) => d.message);
}

const TAGS: readonly QueryTag[] = [':read', ':write'];
/** Statements a query may hold, each under every tag and command. */
const ADMITTED = [
  'SELECT id FROM owner',
  'DELETE FROM owner WHERE id = @id',
  "INSERT INTO owner (name, kind) VALUES (@name, 'team') RETURNING id",
  'PRAGMA user_version',
];
/** Statements that must be refused whatever their tag and command. */
const REFUSED = [
  'BEGIN',
  'COMMIT',
  'SAVEPOINT s',
  'PRAGMA foreign_keys = OFF',
  "ATTACH DATABASE 'x.db' AS x",
  'VACUUM',
  'CREATE TABLE t (x INTEGER)',
  'REINDEX',
];

describe('describeQuery advice', () => {
  it.each(ADMITTED)(
    'should make every tag and command of %s valid after following its advice once',
    (sql) => {
      for (const tag of TAGS) {
        for (const command of QUERY_COMMANDS) {
          let fixedTag = tag;
          let fixedCommand = command;
          for (const message of messages(sql, tag, command)) {
            const newTag = /tag it -- (:read|:write)/.exec(message)?.[1] as QueryTag | undefined;
            const newCommand = /; use (:[a-z]+)/.exec(message)?.[1] as QueryBlock['command'] | undefined;
            expect(newTag ?? newCommand, `${tag} ${command}: ${message}`).toBeDefined();
            fixedTag = newTag ?? fixedTag;
            fixedCommand = newCommand ?? fixedCommand;
          }
          expect(
            messages(sql, fixedTag, fixedCommand),
            `${tag} ${command} → ${fixedTag} ${fixedCommand}`,
          ).toEqual([]);
        }
      }
    },
  );

  it.each(REFUSED)('should refuse %s under every tag and command without advice about either', (sql) => {
    for (const tag of TAGS) {
      for (const command of QUERY_COMMANDS) {
        const [message, ...more] = messages(sql, tag, command);
        expect(more).toEqual([]);
        expect(message).toMatch(/^Q: /);
        expect(message).not.toMatch(/tag it|; use :/);
      }
    }
  });
});
