import type { DiscoveredParam, ParamUse } from './parameter-uses.js';

/**
 * The SQL names of a statement's parameters: a named one keeps its name; a `?` or `?NNN` is named as
 * sqlc names it for SQLite, from its first use (sqlc's `internal/compiler/resolve.go`):
 *
 * 1. compared with, in `IN (…)` of, or an operand next to a column → the column (`id = ?` → `id`);
 * 2. assigned (`SET c = ?`) or inserted (`INSERT (c) VALUES (?)`, `INSERT (c) SELECT ?`) → `c`;
 * 3. a `BETWEEN` bound of a column → `from_c`, `to_c`;
 * 4. `LIMIT ?` → `limit`, `OFFSET ?` → `offset`;
 * 5. an argument of a function → the function's name;
 * 6. anything else → `dollar_N`, N its number (`internal/codegen/golang/result.go`);
 * 7. a name already taken gets `_2`, `_3`, … (`columnsToStruct`), and uses of one `?NNN` are one
 *    parameter.
 *
 * @example
 * ```ts
 * parameterNames(params); // Map { '?1' => 'from_price', '?2' => 'to_price' }
 * ```
 */
export function parameterNames(params: readonly DiscoveredParam[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Map<string, number>();
  for (const p of params) if (p.spelling === 'named') taken.set(p.key, 1);
  for (const p of params) {
    if (p.spelling === 'named') {
      names.set(p.key, p.key);
      continue;
    }
    const base = sqlcName(p.uses[0], p.index);
    const seen = taken.get(base) ?? 0;
    taken.set(base, seen + 1);
    names.set(p.key, seen === 0 ? base : `${base}_${seen + 1}`);
  }
  return names;
}

function sqlcName(use: ParamUse | undefined, index: number): string {
  const c = use?.context;
  switch (c?.kind) {
    case 'compared':
    case 'in-list':
    case 'operand':
      if (c.column !== undefined) return c.column;
      break;
    case 'assigned':
      return c.column;
    case 'between':
      if (c.column !== undefined) return `${c.bound}_${c.column}`;
      break;
    case 'limit':
    case 'offset':
      return c.kind;
    case 'argument':
    case 'json-array':
      return c.function;
    default:
      break;
  }
  return `dollar_${index}`;
}
