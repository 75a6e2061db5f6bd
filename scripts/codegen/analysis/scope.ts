import type { Node, SubSelect, WithClause } from 'sql-parser-cst';
import { ANY_VALUE, type AnalyzedType } from '../value-type.js';
import { entityName, functionArgs, functionName, isSubSelect, operatorText, unparen } from './syntax-tree.js';

/**
 * A column a source offers: its name and type.
 *
 * @example
 * ```ts
 * const c: NamedColumn = { name: 'id', type: { storage: ['integer'], nullable: false } };
 * ```
 */
export interface NamedColumn {
  readonly name: string;
  readonly type: AnalyzedType;
}

/**
 * One FROM source (a table, view, CTE, subquery or `json_each`) under the name a query refers to it by.
 * `optional` is the side of an outer join that may be missing, so its columns can be NULL.
 *
 * @example
 * ```ts
 * const s: Source = { name: 'r', columns, optional: true };
 * ```
 */
export interface Source {
  readonly name: string;
  readonly columns: readonly NamedColumn[];
  readonly optional: boolean;
}

/**
 * What names mean at one point of a statement: the sources of its FROM (and of the statements it is
 * nested in), and the CTEs in view.
 *
 * 1. A column reference is looked up in this scope's sources, then the enclosing scopes' (correlated
 *    subqueries); a qualified one only in the source of that name.
 * 2. A column of an optional (outer-joined) source is nullable.
 * 3. A name nothing declares is {@link ANY_VALUE}; a bare `rowid` is an integer.
 *
 * @example
 * ```ts
 * const scope = Scope.root().nested([{ name: 'run', columns, optional: false }]);
 * scope.column(undefined, 'id');
 * ```
 */
export class Scope {
  readonly sources: readonly Source[];
  readonly outer: Scope | undefined;
  readonly ctes: ReadonlyMap<string, readonly NamedColumn[]>;

  private constructor(
    sources: readonly Source[],
    outer: Scope | undefined,
    ctes: ReadonlyMap<string, readonly NamedColumn[]>,
  ) {
    this.sources = sources;
    this.outer = outer;
    this.ctes = ctes;
  }

  /** The scope of a top-level statement: no sources, no CTEs. */
  static root(): Scope {
    return new Scope([], undefined, new Map());
  }

  /** A scope for a statement nested in this one, with its own sources (and CTEs, by default these). */
  nested(sources: readonly Source[], ctes: ReadonlyMap<string, readonly NamedColumn[]> = this.ctes): Scope {
    return new Scope(sources, this, ctes);
  }

  /** This scope with other CTEs in view (a WITH clause). */
  withCtes(ctes: ReadonlyMap<string, readonly NamedColumn[]>): Scope {
    return new Scope(this.sources, this.outer, ctes);
  }

  /** This scope with one more source (the `excluded` row of an upsert). */
  plus(source: Source): Scope {
    return new Scope([...this.sources, source], this.outer, this.ctes);
  }

  /** The type of `qualifier.column` (or a bare `column`). */
  column(qualifier: string | undefined, column: string): AnalyzedType {
    for (let s: Scope | undefined = this; s !== undefined; s = s.outer) {
      for (const source of s.sources) {
        if (qualifier !== undefined && source.name.toLowerCase() !== qualifier.toLowerCase()) continue;
        const c = source.columns.find((col) => col.name.toLowerCase() === column.toLowerCase());
        if (c !== undefined) return optionalType(c.type, source.optional);
      }
    }
    if (qualifier === undefined && column.toLowerCase() === 'rowid')
      return { storage: ['integer'], nullable: false };
    return ANY_VALUE;
  }

  /** The source called `name` here or in an enclosing scope. */
  source(name: string): Source | undefined {
    for (let s: Scope | undefined = this; s !== undefined; s = s.outer) {
      const found = s.sources.find((src) => src.name.toLowerCase() === name.toLowerCase());
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

/**
 * A column's type as seen through an outer join: nullable when its source may be missing.
 *
 * @example
 * ```ts
 * optionalType(c.type, source.optional);
 * ```
 */
export function optionalType(t: AnalyzedType, optional: boolean): AnalyzedType {
  return optional && !t.nullable ? { ...t, nullable: true } : t;
}

/**
 * What building a FROM clause's sources needs from the other stages.
 *
 * @example
 * ```ts
 * const ctx: SourceContext = { table: (n) => …, select: (s, o) => …, visit: (n, s) => …, outerJoin: () => {} };
 * ```
 */
export interface SourceContext {
  /** A schema table or view: its name as declared and its columns. */
  table(name: string): { readonly name: string; readonly columns: readonly NamedColumn[] } | undefined;
  select(node: SubSelect, outer: Scope): readonly AnalyzedType[] | undefined;
  visit(node: Node, scope: Scope): void;
  /** Told when the statement has an outer join. */
  markOuterJoin(): void;
}

/**
 * Adds the sources of a FROM expression to `out` (the sources of `scope`, so an `ON` condition sees
 * the sources before it): tables, views, CTEs, subqueries and `json_each`/`json_tree`; the optional
 * side of `LEFT`/`RIGHT`/`FULL` joins is marked. False when a source is not understood.
 *
 * @example
 * ```ts
 * const sources: Source[] = [];
 * const scope = outer.nested(sources);
 * addFromSources(from.expr, scope, sources, ctx);
 * ```
 */
export function addFromSources(
  expr: Node,
  scope: Scope,
  out: Source[],
  ctx: SourceContext,
  optional = false,
): boolean {
  switch (expr.type) {
    case 'join_expr': {
      const ops = typeof expr.operator === 'string' ? [] : operatorText(expr.operator).split(' ');
      const leftOptional = ops.includes('RIGHT') || ops.includes('FULL');
      const rightOptional = ops.includes('LEFT') || ops.includes('FULL');
      if (leftOptional || rightOptional) ctx.markOuterJoin();
      const before = out.length;
      if (!addFromSources(expr.left, scope, out, ctx, optional)) return false;
      if (leftOptional) {
        for (let i = before; i < out.length; i++) {
          const s = out[i];
          if (s !== undefined) out[i] = { ...s, optional: true };
        }
      }
      if (!addFromSources(expr.right, scope, out, ctx, optional || rightOptional)) return false;
      if (expr.specification !== undefined) ctx.visit(expr.specification, scope);
      return true;
    }
    case 'paren_expr':
      if (isSubSelect(expr.expr)) return addSubquery(expr.expr, undefined, scope, out, ctx, optional);
      return addFromSources(expr.expr, scope, out, ctx, optional);
    case 'alias': {
      const inner = expr.expr;
      if (inner.type === 'paren_expr' && isSubSelect(inner.expr)) {
        return addSubquery(inner.expr, expr.alias.name, scope, out, ctx, optional);
      }
      return addNamed(inner, expr.alias.name, scope, out, ctx, optional);
    }
    default:
      return addNamed(expr, undefined, scope, out, ctx, optional);
  }
}

/**
 * The CTEs a WITH clause adds to those of `outer`, each with its columns (a CTE whose columns cannot
 * be followed is left out, so references to it are not understood).
 *
 * @example
 * ```ts
 * const ctes = cteColumns(withClause, outer, ctx);
 * ```
 */
export function cteColumns(
  withClause: WithClause,
  outer: Scope,
  ctx: SourceContext,
): Map<string, readonly NamedColumn[]> {
  const ctes = new Map(outer.ctes);
  for (const cte of withClause.tables.items) {
    const body = cte.expr.expr;
    if (!isSubSelect(body)) continue;
    const types = ctx.select(body, outer.withCtes(ctes));
    const names = cte.columns?.expr.items.map((c) => c.name) ?? selectNames(body);
    if (types !== undefined && names !== undefined && names.length === types.length) {
      ctes.set(
        cte.table.name.toLowerCase(),
        types.map((type, i) => ({ name: names[i] ?? '', type })),
      );
    }
  }
  return ctes;
}

function addSubquery(
  sub: SubSelect,
  alias: string | undefined,
  scope: Scope,
  out: Source[],
  ctx: SourceContext,
  optional: boolean,
): boolean {
  // Not lateral: a FROM subquery sees the enclosing statements, not its sibling sources.
  const types = ctx.select(sub, (scope.outer ?? Scope.root()).nested([], scope.ctes));
  const names = selectNames(sub);
  if (types === undefined || names === undefined || names.length !== types.length) return false;
  out.push({
    name: alias ?? '',
    optional,
    columns: types.map((type, i) => ({ name: names[i] ?? '', type })),
  });
  return true;
}

const JSON_EACH_COLUMNS: readonly NamedColumn[] = [
  { name: 'key', type: ANY_VALUE },
  { name: 'value', type: ANY_VALUE },
  { name: 'type', type: { storage: ['text'], nullable: false } },
  { name: 'atom', type: ANY_VALUE },
  { name: 'id', type: { storage: ['integer'], nullable: false } },
  { name: 'parent', type: { storage: ['integer'], nullable: true } },
  { name: 'fullkey', type: { storage: ['text'], nullable: false } },
  { name: 'path', type: { storage: ['text'], nullable: true } },
];

function addNamed(
  expr: Node,
  alias: string | undefined,
  scope: Scope,
  out: Source[],
  ctx: SourceContext,
  optional: boolean,
): boolean {
  if (expr.type === 'func_call') {
    const fn = functionName(expr);
    for (const arg of functionArgs(expr)) ctx.visit(arg, scope);
    if (fn !== 'json_each' && fn !== 'json_tree') return false;
    out.push({ name: alias ?? fn, optional, columns: JSON_EACH_COLUMNS });
    return true;
  }
  const name = entityName(expr);
  if (name === undefined) return false;
  const cte = scope.ctes.get(name.toLowerCase());
  if (cte !== undefined) {
    out.push({ name: alias ?? name, optional, columns: cte });
    return true;
  }
  const table = ctx.table(name);
  if (table === undefined) return false;
  out.push({ name: alias ?? table.name, optional, columns: table.columns });
  return true;
}

/**
 * Output names of a select's columns, when every one is a column reference or aliased.
 *
 * @example
 * ```ts
 * selectNames(parse('SELECT id, name AS n FROM t')); // ['id', 'n']
 * ```
 */
export function selectNames(node: SubSelect): string[] | undefined {
  const select = unparen(node);
  if (select.type === 'compound_select_stmt') return selectNames(select.left);
  const clause = select.clauses.find((c) => c.type === 'select_clause');
  if (clause === undefined) return undefined;
  const names: string[] = [];
  for (const item of clause.columns?.items ?? []) {
    if (item.type === 'alias') names.push(item.alias.name);
    else if (item.type === 'identifier') names.push(item.name);
    else if (item.type === 'member_expr' && item.property.type === 'identifier')
      names.push(item.property.name);
    else return undefined;
  }
  return names;
}
