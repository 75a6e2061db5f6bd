import type { Diagnostic } from './diagnostic.js';
import { camelCase } from './naming.js';
import {
  OTHER_ENGINE_COMMANDS,
  QUERY_COMMANDS,
  type QueryBlock,
  type QueryCommand,
  type QueryTag,
} from './query-block.js';

const NAME_LINE = /^--\s*name:\s*(.*)$/;
// An annotation spelled another way (`-- Name: X :one`, `-- name X :one`): a block start, refused.
const LOOSE_NAME_LINE = /^--\s*name\s*:?\s*[A-Za-z]\w*\s+:\w+\s*$/i;
const startsBlock = (line: string): boolean => NAME_LINE.test(line) || LOOSE_NAME_LINE.test(line);
const TAG_LINE = /^--\s*:([A-Za-z]+)\s*$/;
const VALID = QUERY_COMMANDS.join(', ');
// Words a function cannot be named in strict-mode ES modules (a one-word query name in lower case).
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false ' +
    'finally for function if implements import in instanceof interface let new null package private ' +
    'protected public return static super switch this throw true try typeof var void while with yield await'
  ).split(' '),
);

/**
 * Splits one query file into annotated blocks (`-- name: Name :command`, one `-- :read` or
 * `-- :write` tag, then one statement). Annotation problems become diagnostics; a block with any
 * problem is left out of `blocks`. An annotation spelled another way (`-- Name: X :one`,
 * `-- name X :one`) still starts a block, so it is refused rather than read as part of the SQL above.
 *
 * @example
 * ```ts
 * const { blocks, diagnostics } = parseQueryFile('queries/run.sql', readFileSync('queries/run.sql', 'utf8'));
 * ```
 */
export function parseQueryFile(
  path: string,
  text: string,
  functionName: (queryName: string) => string = camelCase,
): { blocks: QueryBlock[]; diagnostics: Diagnostic[] } {
  const lines = text.split(/\r?\n/);
  const blocks: QueryBlock[] = [];
  const diagnostics: Diagnostic[] = [];
  const report = (line: number, col: number, message: string): void => {
    diagnostics.push({ path, line, col, message });
  };

  let i = 0;
  // Before the first block only comments and blank lines may appear.
  for (; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (startsBlock(line)) break;
    if (line !== '' && !line.startsWith('--')) {
      report(i + 1, 1, 'SQL outside a query block (start each query with "-- name: Name :command")');
      while (i + 1 < lines.length && !startsBlock((lines[i + 1] ?? '').trim())) i++;
    }
  }

  while (i < lines.length) {
    const start = i;
    const first = (lines[i] ?? '').trim();
    const exact = NAME_LINE.exec(first)?.[1]?.trim();
    if (exact === undefined) {
      report(
        i + 1,
        (lines[i] ?? '').indexOf('-') + 1,
        `write the annotation as "-- name: Name :command" (lower-case name, then a colon), not ${JSON.stringify(first)}`,
      );
    }
    const header = exact ?? first.replace(/^--\s*name\s*:?/i, '').trim();
    i++;
    let end = i;
    while (end < lines.length && !startsBlock((lines[end] ?? '').trim())) end++;
    const block = parseBlock(path, lines, start, end, header, report, functionName);
    if (block !== undefined && exact !== undefined) blocks.push(block);
    i = end;
  }
  return { blocks, diagnostics };
}

function parseBlock(
  path: string,
  lines: readonly string[],
  start: number,
  end: number,
  header: string,
  report: (line: number, col: number, message: string) => void,
  functionName: (queryName: string) => string,
): QueryBlock | undefined {
  const headerLine = start + 1;
  const headerCol = (lines[start] ?? '').indexOf('-') + 1;
  let ok = true;
  const fail = (line: number, col: number, message: string): void => {
    ok = false;
    report(line, col, message);
  };

  const [name = '', command = '', ...extra] = header.split(/\s+/).filter((w) => w !== '');
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) {
    fail(headerLine, headerCol, `query name ${JSON.stringify(name)} must be PascalCase (e.g. LoadActiveRun)`);
  } else if (RESERVED.has(functionName(name))) {
    fail(
      headerLine,
      headerCol,
      `query name ${name} would make a function named ${functionName(name)}, a reserved word`,
    );
  }
  if (command === '') {
    fail(headerLine, headerCol, `query ${name} has no command (valid: ${VALID})`);
  } else if (OTHER_ENGINE_COMMANDS.has(command)) {
    fail(headerLine, headerCol, `query ${name}: ${OTHER_ENGINE_COMMANDS.get(command)}`);
  } else if (!(QUERY_COMMANDS as readonly string[]).includes(command)) {
    fail(headerLine, headerCol, `unknown command ${command} in query ${name} (valid: ${VALID})`);
  }
  const headerTag = extra.length === 1 && /^:(read|write)$/.test(extra[0] ?? '') ? extra[0] : undefined;
  if (headerTag !== undefined) {
    fail(
      headerLine,
      headerCol,
      `the tag of query ${name} goes on its own line below the name: -- ${headerTag}`,
    );
  } else if (extra.length > 0) {
    fail(headerLine, headerCol, `unexpected ${JSON.stringify(extra.join(' '))} after the command`);
  }

  const tags: { tag: string; line: number }[] = [];
  let i = start + 1;
  for (; i < end; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    if (!line.startsWith('--')) break;
    const tag = TAG_LINE.exec(line)?.[1];
    if (tag !== undefined) tags.push({ tag, line: i + 1 });
  }
  for (const t of tags) {
    if (t.tag !== 'read' && t.tag !== 'write') {
      fail(t.line, 1, `unknown tag :${t.tag} in query ${name} (valid: :read, :write)`);
    }
  }
  if (tags.length === 0) {
    if (headerTag === undefined)
      fail(headerLine, headerCol, `query ${name} has no tag: add "-- :read" or "-- :write"`);
  } else if (tags.length > 1) {
    fail(
      tags[1]?.line ?? headerLine,
      1,
      `query ${name} has more than one tag (exactly one of -- :read, -- :write)`,
    );
  }

  const sqlStart = i;
  let sqlEnd = end;
  // Trailing blank lines and comments belong to no statement.
  while (sqlEnd > sqlStart) {
    const line = (lines[sqlEnd - 1] ?? '').trim();
    if (line === '' || line.startsWith('--')) sqlEnd--;
    else break;
  }
  const sql = lines.slice(sqlStart, sqlEnd).join('\n').replace(/;\s*$/, '').trimEnd();
  if (sql.trim() === '') fail(headerLine, headerCol, `query ${name} has no SQL statement`);
  if (!ok) return undefined;
  return {
    path,
    name,
    command: command as QueryCommand,
    tag: `:${tags[0]?.tag}` as QueryTag,
    sql,
    line: headerLine,
    sqlLine: sqlStart + 1,
  };
}
