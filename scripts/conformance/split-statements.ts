/**
 * One statement of a SQL file with the comments before it, as sqlc's parser sees it: `text` runs from
 * the end of the previous statement (its `;`) to this statement's `;`, which it does not include.
 *
 * @example
 * ```ts
 * const s: SqlChunk = { text: '-- name: One :one\nSELECT 1', line: 1 };
 * ```
 */
export interface SqlChunk {
  readonly text: string;
  /** 1-based line of the chunk's first character in the file. */
  readonly line: number;
}

/**
 * Splits SQL text at the `;` that end statements: not inside a string, a quoted identifier or a
 * comment, nor inside the `BEGIN … END` body of a `CREATE TRIGGER`. Chunks holding only blanks and
 * comments are kept (a `-- name:` line after the last statement has no statement; callers ignore it).
 *
 * @example
 * ```ts
 * splitStatements("SELECT ';';\nSELECT 2").map((c) => c.text); // ["SELECT ';'", '\nSELECT 2']
 * ```
 */
export function splitStatements(sql: string): SqlChunk[] {
  const chunks: SqlChunk[] = [];
  let start = 0;
  let line = 1;
  let startLine = 1;
  let words: string[] = [];
  let inTriggerBody = false;
  // CASE … END inside a trigger body: its END does not close the body.
  let caseDepth = 0;
  let i = 0;
  const finish = (end: number): void => {
    chunks.push({ text: sql.slice(start, end), line: startLine });
    words = [];
    inTriggerBody = false;
    caseDepth = 0;
  };
  while (i < sql.length) {
    const c = sql[i] ?? '';
    const next = sql[i + 1] ?? '';
    let end = i + 1;
    if (c === '-' && next === '-') {
      end = sql.indexOf('\n', i);
      if (end < 0) end = sql.length;
    } else if (c === '/' && next === '*') {
      end = sql.indexOf('*/', i + 2);
      end = end < 0 ? sql.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      end = i + 1;
      for (;;) {
        const at = sql.indexOf(close, end);
        if (at < 0) {
          end = sql.length;
          break;
        }
        end = at + 1;
        // A doubled quote is an escaped quote, not the end.
        if (close !== ']' && sql[end] === close) end++;
        else break;
      }
    } else if (/[A-Za-z_]/.test(c)) {
      while (end < sql.length && /[A-Za-z0-9_$]/.test(sql[end] ?? '')) end++;
      const word = sql.slice(i, end).toUpperCase();
      words.push(word);
      const isTrigger = words[0] === 'CREATE' && words.slice(1, 4).includes('TRIGGER');
      if (isTrigger && !inTriggerBody && word === 'BEGIN') inTriggerBody = true;
      else if (inTriggerBody && word === 'CASE') caseDepth++;
      else if (inTriggerBody && word === 'END') {
        if (caseDepth > 0) caseDepth--;
        else inTriggerBody = false;
      }
    } else if (c === ';' && !inTriggerBody) {
      finish(i);
      start = i + 1;
      for (let k = i; k < end; k++) if (sql[k] === '\n') line++;
      startLine = line;
      i = end;
      continue;
    }
    for (let k = i; k < end; k++) if (sql[k] === '\n') line++;
    i = end;
  }
  if (start < sql.length) finish(sql.length);
  return chunks;
}

/**
 * Whether a chunk holds SQL, not only blanks and comments.
 *
 * @example
 * ```ts
 * hasStatement('-- just a comment\n'); // false
 * ```
 */
export function hasStatement(text: string): boolean {
  return stripComments(text).trim() !== '';
}

/**
 * The text with `--` and `/* *\/` comments blanked out (strings are left alone, so a `--` inside one
 * is blanked too; good enough to find the first keyword of a statement).
 *
 * @example
 * ```ts
 * stripComments('-- x\nSELECT 1'); // '   \nSELECT 1'
 * ```
 */
export function stripComments(text: string): string {
  return text.replace(/--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/g, (c) => c.replace(/[^\n]/g, ' '));
}
