/**
 * The widest line the generator writes, except a line of SQL as the query file has it (inside the SQL
 * template literal or the doc comment's copy), which is kept byte for byte.
 *
 * @example
 * ```ts
 * text.split('\n').every((l) => l.length <= MAX_LINE_WIDTH);
 * ```
 */
export const MAX_LINE_WIDTH = 120;

/**
 * A piece of generated code whose line breaks are chosen when it is printed (the document model of
 * Wadler's "prettier printer", as Prettier uses it): text, a sequence, a {@link group} that is laid
 * out flat when it fits and broken otherwise, and {@link line}s that are a space or a newline.
 *
 * @example
 * ```ts
 * const doc: Doc = ['f', list('(', ['a', 'b'], ')'), ';'];
 * ```
 */
export type Doc =
  | string
  | readonly Doc[]
  | { readonly kind: 'group'; readonly doc: Doc }
  | { readonly kind: 'indent'; readonly doc: Doc }
  | { readonly kind: 'line'; readonly flat: string }
  | { readonly kind: 'ifBreak'; readonly broken: Doc; readonly flat: Doc };

/**
 * A space when its group is flat, a newline (at the current indentation) when it is broken.
 *
 * @example
 * ```ts
 * group(['{', indent([line, 'a: 1']), line, '}']);
 * ```
 */
export const line: Doc = { kind: 'line', flat: ' ' };

/**
 * Nothing when its group is flat, a newline when it is broken.
 *
 * @example
 * ```ts
 * group(['(', indent([softline, 'a']), softline, ')']);
 * ```
 */
export const softline: Doc = { kind: 'line', flat: '' };

/**
 * Lays `doc` out on one line if it fits in the rest of the line, else breaks its own lines (inner
 * groups then choose again).
 *
 * @example
 * ```ts
 * printDoc(group(['a', line, 'b']), ''); // 'a b'
 * ```
 */
export function group(doc: Doc): Doc {
  return { kind: 'group', doc };
}

/**
 * Indents the lines `doc` breaks by two more spaces.
 *
 * @example
 * ```ts
 * indent([softline, 'a']);
 * ```
 */
export function indent(doc: Doc): Doc {
  return { kind: 'indent', doc };
}

/**
 * `broken` when the enclosing group is broken, `flat` when it is not (a trailing comma, a brace).
 *
 * @example
 * ```ts
 * ifBreak(',', '');
 * ```
 */
export function ifBreak(broken: Doc, flat: Doc = ''): Doc {
  return { kind: 'ifBreak', broken, flat };
}

/**
 * A bracketed, comma-separated list: `(a, b)` when it fits, else one item per line with a trailing
 * comma. `spaced` puts spaces inside the brackets of the flat form (`{ a, b }`).
 *
 * @example
 * ```ts
 * printDoc(['return ', list('{', ['a: r[0]'], '}', true), ';'], '  '); // '  return { a: r[0] };'
 * ```
 */
export function list(open: string, items: readonly Doc[], close: string, spaced = false): Doc {
  if (items.length === 0) return `${open}${close}`;
  const edge = spaced ? line : softline;
  const joined = items.map((item, i): Doc => (i === 0 ? item : [',', line, item]));
  return group([open, indent([edge, joined, ifBreak(',')]), edge, close]);
}

/**
 * A union type: `a | b` when it fits, else one member per line, each led by `|`. A union that follows
 * a `name:` (`afterColon`) goes on the lines below it, indented.
 *
 * @example
 * ```ts
 * printDoc(['readonly kind:', union(unionMembers("'a' | 'b'"), true), ';'], '  ');
 * ```
 */
export function union(members: readonly string[], afterColon = false): Doc {
  const joined = members.map((m, i): Doc => (i === 0 ? [ifBreak('| '), m] : [line, '| ', m]));
  if (members.length < 2) return afterColon ? [' ', members[0] ?? ''] : (members[0] ?? '');
  return afterColon ? group([ifBreak('', ' '), indent([softline, joined])]) : group(joined);
}

/**
 * The members of a union type's text, split at its top-level `|` only (not inside parentheses,
 * brackets, angle brackets or string literals).
 *
 * @example
 * ```ts
 * unionMembers("readonly (number | string)[] | null"); // ['readonly (number | string)[]', 'null']
 * ```
 */
export function unionMembers(type: string): string[] {
  const members: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < type.length; i++) {
    const c = type[i];
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '<' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '>' || c === '}') depth--;
    else if (c === '|' && depth === 0) {
      members.push(type.slice(start, i).trim());
      start = i + 1;
    }
  }
  members.push(type.slice(start).trim());
  return members;
}

/**
 * Prints `doc` at indentation `indent` (its first line is indented too), fitting lines into
 * {@link MAX_LINE_WIDTH} where the groups allow. Text is printed as given: a newline inside text (a
 * template literal) is kept, not indented.
 *
 * @example
 * ```ts
 * printDoc(list('(', ['a', 'b'], ')'), '  '); // '  (a, b)'
 * ```
 */
export function printDoc(doc: Doc, indentation = ''): string {
  type Command = readonly [indent: string, flat: boolean, doc: Doc];
  let out = indentation;
  let column = indentation.length;
  const stack: Command[] = [[indentation, false, doc]];
  while (stack.length > 0) {
    const [ind, flat, d] = stack.pop() as Command;
    if (typeof d === 'string') {
      out += d;
      const nl = d.lastIndexOf('\n');
      column = nl === -1 ? column + d.length : d.length - nl - 1;
    } else if (isDocList(d)) {
      for (let i = d.length - 1; i >= 0; i--) stack.push([ind, flat, d[i] as Doc]);
    } else if (d.kind === 'group') {
      const fitsFlat = flat || fits(MAX_LINE_WIDTH - column, [ind, true, d.doc], stack);
      stack.push([ind, fitsFlat, d.doc]);
    } else if (d.kind === 'indent') {
      stack.push([`${ind}  `, flat, d.doc]);
    } else if (d.kind === 'ifBreak') {
      stack.push([ind, flat, flat ? d.flat : d.broken]);
    } else if (flat) {
      out += d.flat;
      column += d.flat.length;
    } else {
      out += `\n${ind}`;
      column = ind.length;
    }
  }
  return out;
}

function isDocList(d: Doc): d is readonly Doc[] {
  return Array.isArray(d);
}

/**
 * Whether `next`, laid out flat, and what follows it up to the next line break fit in `width`.
 * (What follows is read from the printer's stack: a closing `);` after a group counts.)
 */
function fits(
  width: number,
  next: readonly [string, boolean, Doc],
  rest: readonly (readonly [string, boolean, Doc])[],
): boolean {
  const pending: (readonly [boolean, Doc])[] = [[next[1], next[2]]];
  let restIndex = rest.length - 1;
  let left = width;
  while (left >= 0) {
    let item = pending.pop();
    if (item === undefined) {
      const r = rest[restIndex--];
      if (r === undefined) return true;
      item = [r[1], r[2]];
    }
    const [flat, d] = item;
    if (typeof d === 'string') {
      const nl = d.indexOf('\n');
      if (nl !== -1) return left - nl >= 0;
      left -= d.length;
    } else if (isDocList(d)) {
      for (let i = d.length - 1; i >= 0; i--) pending.push([flat, d[i] as Doc]);
    } else if (d.kind === 'group') {
      pending.push([flat, d.doc]);
    } else if (d.kind === 'indent') {
      pending.push([flat, d.doc]);
    } else if (d.kind === 'ifBreak') {
      pending.push([flat, flat ? d.flat : d.broken]);
    } else if (flat) {
      left -= d.flat.length;
    } else {
      return true;
    }
  }
  return false;
}

/**
 * A doc comment at `indentation`: on one line when it is one line that fits, else one ` * ` line per
 * entry, prose wrapped at word boundaries to {@link MAX_LINE_WIDTH}. Lines inside a fenced code block
 * are kept as they are. Every `*` followed by `/` gets a backslash between them, so no line can end
 * the comment.
 *
 * @example
 * ```ts
 * docComment(['Parameters of {@link run}.']); // '/** Parameters of {@link run}. *\/'
 * ```
 */
export function docComment(lines: readonly string[], indentation = ''): string {
  const safe = lines.map((l) => l.replaceAll('*/', '*\\/'));
  const single = `${indentation}/** ${safe[0] ?? ''} */`;
  if (safe.length === 1 && single.length <= MAX_LINE_WIDTH) return single;
  const prefix = `${indentation} * `;
  const out = [`${indentation}/**`];
  let code = false;
  for (const l of safe) {
    if (l.trimStart().startsWith('```')) code = !code;
    if (l === '') out.push(`${indentation} *`);
    else if (code || l.trimStart().startsWith('```')) out.push(`${prefix}${l}`.trimEnd());
    else for (const w of wrapProse(l, MAX_LINE_WIDTH - prefix.length)) out.push(`${prefix}${w}`);
  }
  out.push(`${indentation} */`);
  return out.join('\n');
}

/** `text` broken at spaces into lines of at most `width` (a longer word stays whole); indentation kept. */
function wrapProse(text: string, width: number): string[] {
  const lead = /^\s*/.exec(text)?.[0] ?? '';
  const words = text.slice(lead.length).split(/ +/);
  const lines: string[] = [];
  let current = lead;
  for (const word of words) {
    if (current.length > lead.length && current.length + 1 + word.length > width) {
      lines.push(current);
      current = lead;
    }
    current += current.length > lead.length ? ` ${word}` : word;
  }
  lines.push(current.trimEnd());
  return lines;
}

/**
 * A single-quoted string literal whose value is exactly `text` (a module specifier from the
 * configuration may hold any character).
 *
 * @example
 * ```ts
 * stringLiteral("it's"); // "'it\\'s'"
 * ```
 */
export function stringLiteral(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'")}'`;
}

/**
 * A template literal whose value is exactly `text`: `` ` ``, `\` and `${` are escaped, and a carriage
 * return is written `\r` (a raw one would be read back as a line feed); everything else, line breaks
 * and trailing spaces included, is written as it is.
 *
 * @example
 * ```ts
 * templateLiteral('SELECT `a`\nFROM t'); // '`SELECT \\`a\\`\nFROM t`'
 * ```
 */
export function templateLiteral(text: string): string {
  return `\`${text.replace(/[`\\\r]|\$\{/g, (m) => (m === '\r' ? '\\r' : `\\${m}`))}\``;
}
