/**
 * A unified diff (3 lines of context) from `before` to `after`, or `''` when they are equal.
 *
 * @example
 * ```ts
 * process.stdout.write(unifiedDiff('a/run.ts', 'b/run.ts', committed, generated));
 * ```
 */
export function unifiedDiff(fromName: string, toName: string, before: string, after: string): string {
  if (before === after) return '';
  const a = lines(before);
  const b = lines(after);
  const ops = diffLines(a, b);
  const context = 3;
  const out = [`--- ${fromName}`, `+++ ${toName}`];
  let i = 0;
  while (i < ops.length) {
    if (ops[i]?.kind === ' ') {
      i++;
      continue;
    }
    let start = i;
    let back = 0;
    while (start > 0 && back < context && ops[start - 1]?.kind === ' ') {
      start--;
      back++;
    }
    let end = i;
    for (;;) {
      while (end < ops.length && ops[end]?.kind !== ' ') end++;
      let run = 0;
      while (end + run < ops.length && ops[end + run]?.kind === ' ') run++;
      if (end + run < ops.length && run <= 2 * context) end += run;
      else {
        end += Math.min(run, context);
        break;
      }
    }
    const hunk = ops.slice(start, end);
    const first = hunk[0];
    const aStart = (first?.aIndex ?? 0) + 1;
    const bStart = (first?.bIndex ?? 0) + 1;
    const aLen = hunk.filter((o) => o.kind !== '+').length;
    const bLen = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${range(aStart, aLen)} +${range(bStart, bLen)} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.text}`);
    i = end;
  }
  return `${out.join('\n')}\n`;
}

/** A file's lines; the newline that ends the last line does not start another. */
function lines(text: string): string[] {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}

/** GNU diff's hunk range: `start,len`, `start` alone for one line, `start-1,0` for none. */
function range(start: number, len: number): string {
  if (len === 0) return `${start - 1},0`;
  return len === 1 ? `${start}` : `${start},${len}`;
}

interface Op {
  kind: ' ' | '-' | '+';
  text: string;
  aIndex: number;
  bIndex: number;
}

/** Line diff by longest common subsequence, after trimming the common prefix and suffix. */
function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  ) {
    suffix++;
  }
  const am = a.slice(prefix, a.length - suffix);
  const bm = b.slice(prefix, b.length - suffix);
  const n = am.length;
  const m = bm.length;
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] =
        am[i] === bm[j]
          ? (lcs[(i + 1) * (m + 1) + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * (m + 1) + j] ?? 0, lcs[i * (m + 1) + j + 1] ?? 0);
    }
  }
  const ops: Op[] = [];
  for (let k = 0; k < prefix; k++) ops.push({ kind: ' ', text: a[k] ?? '', aIndex: k, bIndex: k });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) {
      ops.push({ kind: ' ', text: am[i] ?? '', aIndex: prefix + i, bIndex: prefix + j });
      i++;
      j++;
    } else if (i < n && (j === m || (lcs[(i + 1) * (m + 1) + j] ?? 0) >= (lcs[i * (m + 1) + j + 1] ?? 0))) {
      ops.push({ kind: '-', text: am[i] ?? '', aIndex: prefix + i, bIndex: prefix + j });
      i++;
    } else {
      ops.push({ kind: '+', text: bm[j] ?? '', aIndex: prefix + i, bIndex: prefix + j });
      j++;
    }
  }
  for (let k = 0; k < suffix; k++) {
    ops.push({
      kind: ' ',
      text: a[a.length - suffix + k] ?? '',
      aIndex: a.length - suffix + k,
      bIndex: b.length - suffix + k,
    });
  }
  return ops;
}
