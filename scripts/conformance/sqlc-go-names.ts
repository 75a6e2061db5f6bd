import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The names sqlc's generated Go gives one query's parameters and result fields.
 *
 * @example
 * ```ts
 * const n: SqlcQueryNames = { params: ['ID', 'Name'], fields: ['ID', 'Name', 'Bio'] };
 * ```
 */
export interface SqlcQueryNames {
  /** Fields of `XParams`, or the positional argument names after `ctx` (and `db DBTX`). */
  readonly params: readonly string[];
  /**
   * Fields of the struct the function returns (`XRow` or a model from `models.go`); `undefined` when
   * it returns a scalar (one result column: sqlc keeps no name for it) or nothing.
   */
  readonly fields: readonly string[] | undefined;
}

/**
 * Reads the `*.go` files of sqlc's output directory (tests left out) and returns, per query name,
 * the names its `func (q *Queries) Name(ctx context.Context, …)` exposes. The Go is read with
 * patterns for gofmt'd sqlc output, not parsed in full.
 *
 * @example
 * ```ts
 * sqlcGoNames('/tmp/sqlc-checkout/internal/endtoend/testdata/alias/sqlite/go').get('AliasBar');
 * // { params: ['id'], fields: undefined }
 * ```
 */
export function sqlcGoNames(goDir: string): Map<string, SqlcQueryNames> {
  const names = new Map<string, SqlcQueryNames>();
  if (!existsSync(goDir)) return names;
  const sources = readdirSync(goDir)
    .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))
    .sort()
    .map((f) => readFileSync(join(goDir, f), 'utf8').replace(/\r\n/g, '\n'));
  const structs = new Map<string, string[]>();
  for (const source of sources) {
    for (const m of source.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
      structs.set(m[1] ?? '', structFields(m[2] ?? ''));
    }
  }
  for (const source of sources) {
    for (const m of source.matchAll(/^func \(q \*Queries\) (\w+)\(([^)]*)\) ([^{]*?)\s*\{/gm)) {
      const name = m[1] ?? '';
      const all = splitArgs(m[2] ?? '');
      // Query methods take the context first; Close, WithTx and the like do not.
      if (all[0]?.type !== 'context.Context') continue;
      const args = all.slice(1).filter((a) => a.type !== 'DBTX');
      const only = args[0];
      const params =
        args.length === 1 && only?.name === 'arg' && structs.has(only.type)
          ? (structs.get(only.type) ?? [])
          : args.map((a) => a.name);
      const returned = /^\(\s*([^,]+),\s*error\s*\)$/.exec((m[3] ?? '').trim())?.[1]?.trim();
      const struct = returned?.replace(/^\[\]/, '').replace(/^\*/, '');
      names.set(name, { params, fields: struct === undefined ? undefined : structs.get(struct) });
    }
  }
  return names;
}

/** Field names of a struct body: `Name Type \`tags\`` lines; an embedded `pkg.Type` is named `Type`. */
function structFields(body: string): string[] {
  const fields: string[] = [];
  for (const raw of body.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('//')) continue;
    const words = line
      .replace(/`[^`]*`/g, '')
      .trim()
      .split(/\s+/);
    const first = words[0] ?? '';
    fields.push(words.length === 1 ? (first.split('.').at(-1)?.replace(/^\*/, '') ?? first) : first);
  }
  return fields;
}

function splitArgs(list: string): { name: string; type: string }[] {
  return list
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '')
    .map((a) => {
      const [name = '', ...type] = a.split(/\s+/);
      return { name, type: type.join(' ').replace(/^\.\.\./, '') };
    });
}
