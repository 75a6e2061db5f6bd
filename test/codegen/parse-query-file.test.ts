import { describe, expect, it } from 'vitest';
import { parseQueryFile } from '../../scripts/codegen/parse-query-file.js';

describe('parseQueryFile', () => {
  it("should keep a query's own comments as its doc: right above its name line and before its statement", () => {
    const text = [
      '-- File documentation, separated by a blank line, belongs to no query.',
      '',
      '-- Loads one owner.',
      '-- name: LoadOwner :one',
      '-- :read',
      '--   Indented detail stays indented.',
      '-- :scan-ok an annotation, not documentation',
      'SELECT id FROM owner -- a comment inside the statement stays in the SQL',
      'WHERE id = @id;',
      '-- Right above the next name line: the next query documented.',
      '-- name: CountOwners :one',
      '-- :read',
      'SELECT count(*) AS n FROM owner;',
    ].join('\r\n');
    const { blocks, diagnostics } = parseQueryFile('queries/q.sql', text);
    expect(diagnostics).toEqual([]);
    expect(blocks.map((b) => b.doc)).toEqual([
      ['Loads one owner.', '  Indented detail stays indented.'],
      ['Right above the next name line: the next query documented.'],
    ]);
    expect(blocks[0]?.sql).toBe(
      'SELECT id FROM owner -- a comment inside the statement stays in the SQL\nWHERE id = @id',
    );
  });
});
