import type {
  DeleteStmt,
  InsertStmt,
  ListExpr,
  Node,
  Program,
  SelectStmt,
  SetClause,
  SubSelect,
  UpdateStmt,
  UpsertClause,
  ValuesClause,
} from 'sql-parser-cst';
import type { ColumnOverride } from '../codegen-config.js';
import { columnType } from '../column-type.js';
import type { SchemaCatalog } from '../schema-catalog.js';
import { pragmaResultTypes } from '../sqlite-pragmas.js';
import { ANY_VALUE, type AnalyzedType, unionType } from '../value-type.js';
import { ExpressionTyper, isAggregateCall } from './expression-typer.js';
import { type DiscoveredParam, ParameterUses } from './parameter-uses.js';
import {
  addFromSources,
  cteColumns,
  type NamedColumn,
  optionalType,
  Scope,
  type Source,
  type SourceContext,
} from './scope.js';
import { entityName, listItems, parseSqlite, unalias, unparen } from './syntax-tree.js';
import { valueParameters } from './value-parameters.js';

/**
 * What the SQL syntax tree says about a statement: one type per result column (or `undefined` when
 * the tree could not be followed, so the caller falls back to what SQLite describes), and every
 * parameter with its uses.
 *
 * @example
 * ```ts
 * const analysis = analyzeStatement('SELECT id FROM run WHERE pid = @pid', catalog, new Map());
 * analysis.params[0]?.uses; // [{ context: { kind: 'compared', column: 'pid' }, hint: …, … }]
 * ```
 */
export interface StatementAnalysis {
  readonly columns: readonly AnalyzedType[] | undefined;
  /**
   * The parsed statement, for stages that need more of it (such as {@link resultColumnNames});
   * `undefined` when the parser could not read it.
   */
  readonly program: Program | undefined;
  /** In SQLite's numbering order. */
  readonly params: readonly DiscoveredParam[];
  /** Whether the statement has an outer join anywhere (so columns the tree misses must be nullable). */
  readonly outerJoin: boolean;
  /** Set when the parser could not read the statement (SQLite may still accept it). */
  readonly parseError: string | undefined;
}

/**
 * The statement stage: types a statement's result columns and discovers its parameters.
 *
 * 1. `SELECT` and compounds (`UNION` joins the branches' types), `VALUES`.
 * 2. `INSERT` (a value takes the type of the column it fills, by VALUES position or `INSERT … SELECT`
 *    column), `UPDATE … SET`, `DELETE`, `RETURNING`, and upserts (with the `excluded` row).
 * 3. A statement shape not understood gives no column types (SQLite's description is used instead).
 *
 * @example
 * ```ts
 * const { columns } = analyzeStatement('SELECT count(*) AS n FROM run', catalog, new Map());
 * ```
 */
export function analyzeStatement(
  sql: string,
  catalog: SchemaCatalog,
  overrides: ReadonlyMap<string, ColumnOverride>,
): StatementAnalysis {
  const params = ParameterUses.scan(sql);
  let program: ReturnType<typeof parseSqlite>;
  try {
    program = parseSqlite(sql);
  } catch (err) {
    return {
      columns: undefined,
      program: undefined,
      params: params.params(),
      outerJoin: /\b(LEFT|RIGHT|FULL)\b/i.test(sql),
      parseError: err instanceof Error ? err.message : String(err),
    };
  }
  const statements = program.statements.filter((s) => s.type !== 'empty');
  const stmt = statements[0];
  const analyzer = new StatementTyper(catalog, overrides, params);
  let columns: readonly AnalyzedType[] | undefined;
  let outerJoin = false;
  try {
    if (stmt !== undefined && statements.length === 1) columns = analyzer.statement(stmt);
    outerJoin = analyzer.outerJoin;
  } catch {
    // A tree shape this analysis does not know: fall back to what SQLite describes, all nullable.
    columns = undefined;
    outerJoin = true;
  }
  return {
    columns,
    program,
    params: params.params(),
    outerJoin,
    parseError: undefined,
  };
}

class StatementTyper implements SourceContext {
  outerJoin = false;

  markOuterJoin(): void {
    this.outerJoin = true;
  }

  readonly #catalog: SchemaCatalog;
  readonly #overrides: ReadonlyMap<string, ColumnOverride>;
  readonly #params: ParameterUses;
  readonly #expressions: ExpressionTyper;

  constructor(catalog: SchemaCatalog, overrides: ReadonlyMap<string, ColumnOverride>, params: ParameterUses) {
    this.#catalog = catalog;
    this.#overrides = overrides;
    this.#params = params;
    this.#expressions = new ExpressionTyper(params, this);
  }

  /** Result column types of a top-level statement, or `undefined` when not followed. */
  statement(stmt: Node): readonly AnalyzedType[] | undefined {
    const root = Scope.root();
    switch (stmt.type) {
      case 'select_stmt':
      case 'compound_select_stmt':
        return this.select(stmt, root);
      case 'insert_stmt':
      case 'update_stmt':
      case 'delete_stmt':
        return this.#dml(stmt, root);
      case 'pragma_stmt': {
        // Only a pragma that reads reaches here (refused-statement.ts); its columns come from the table.
        const name = entityName(stmt.pragma.type === 'pragma_func_call' ? stmt.pragma.name : stmt.pragma);
        return name === undefined ? undefined : pragmaResultTypes(name);
      }
      default:
        this.visit(stmt, root);
        return undefined;
    }
  }

  table(name: string): { name: string; columns: NamedColumn[] } | undefined {
    const table = this.#catalog.table(name);
    if (table === undefined) return undefined;
    return {
      name: table.name,
      columns: table.columns.map((c) => ({
        name: c.name,
        type: columnType(this.#catalog, this.#overrides, c.table, c.name),
      })),
    };
  }

  visit(node: Node, scope: Scope): void {
    this.#expressions.visit(node, scope);
  }

  /** Result column types of a select, compound or `VALUES`. */
  select(node: SubSelect, outer: Scope): readonly AnalyzedType[] | undefined {
    const select = unparen(node);
    if (select.type === 'compound_select_stmt') {
      const left = this.select(select.left, outer);
      const right = this.select(select.right, outer);
      if (left === undefined || right === undefined || left.length !== right.length) return undefined;
      return left.map((l, i) => unionType(l, right[i] ?? ANY_VALUE));
    }
    // The parser's types leave out that a bare `VALUES` statement is a select of one values clause.
    const clauses: readonly (SelectStmt['clauses'][number] | ValuesClause)[] = select.clauses;
    let ctes = outer.ctes;
    const withClause = clauses.find((c) => c.type === 'with_clause');
    if (withClause !== undefined) ctes = cteColumns(withClause, outer, this);
    const sources: Source[] = [];
    const scope = outer.nested(sources, ctes);
    const from = clauses.find((c) => c.type === 'from_clause');
    if (from !== undefined && !addFromSources(from.expr, scope, sources, this)) {
      for (const c of clauses) this.visit(c, scope);
      return undefined;
    }
    let result: readonly AnalyzedType[] | undefined;
    for (const clause of clauses) {
      switch (clause.type) {
        case 'select_clause': {
          const list = clause.columns;
          if (list === undefined) break;
          result = this.#resultColumns(list, scope);
          if (result !== undefined && !clauses.some((c) => c.type === 'group_by_clause')) {
            result = bareColumnsOfAggregate(list.items, result);
          }
          break;
        }
        case 'limit_clause': {
          for (const [kind, e] of [
            ['limit', clause.count],
            ['offset', clause.offset],
          ] as const) {
            if (e?.type === 'parameter')
              this.#params.note(e, { kind }, { storage: ['integer'], nullable: false });
            else if (e !== undefined) this.visit(e, scope);
          }
          break;
        }
        case 'values_clause':
          result = this.#values(clause.values.items, scope);
          break;
        case 'from_clause':
        case 'with_clause':
          break;
        default:
          this.visit(clause, scope);
      }
    }
    return result;
  }

  /** `VALUES (…), (…)`: each column the join of its rows' types. */
  #values(rows: readonly Node[], scope: Scope): AnalyzedType[] | undefined {
    const typed = rows.map((row) => rowItems(row).map((e) => this.#expressions.type(e, scope)));
    return typed[0]?.map((t, i) =>
      typed.slice(1).reduce((acc, row) => unionType(acc, row[i] ?? ANY_VALUE), t),
    );
  }

  #dml(stmt: InsertStmt | UpdateStmt | DeleteStmt, outer: Scope): readonly AnalyzedType[] | undefined {
    let ctes = outer.ctes;
    const withClause = stmt.clauses.find((c) => c.type === 'with_clause');
    if (withClause !== undefined) ctes = cteColumns(withClause, outer, this);
    const sources: Source[] = [];
    const scope = outer.nested(sources, ctes);
    let targetNode: Node | undefined;
    for (const clause of stmt.clauses) {
      if (clause.type === 'insert_clause') targetNode = clause.table;
      else if (clause.type === 'update_clause' || clause.type === 'delete_clause')
        targetNode = clause.tables.items[0];
    }
    const target = targetNode === undefined ? undefined : entityName(targetNode);
    const table = target === undefined ? undefined : this.table(target);
    if (table !== undefined) {
      sources.push({ name: table.name, optional: false, columns: table.columns });
      if (targetNode?.type === 'alias')
        sources.push({ name: targetNode.alias.name, optional: false, columns: table.columns });
    }
    let insertColumns: string[] | undefined;
    let result: readonly AnalyzedType[] | undefined;
    for (const clause of stmt.clauses) {
      switch (clause.type) {
        case 'insert_clause':
          insertColumns = clause.columns?.expr.items.map((c) => c.name) ?? table?.columns.map((c) => c.name);
          break;
        case 'values_clause':
          for (const row of clause.values.items) {
            rowItems(row).forEach((v, i) => {
              this.#assign(table?.name, insertColumns?.[i], v, scope);
            });
          }
          break;
        case 'set_clause':
          this.#set(clause, table?.name, scope);
          break;
        case 'returning_clause':
          result = this.#resultColumns(clause.columns, scope);
          break;
        case 'select_stmt':
        case 'compound_select_stmt':
        case 'paren_expr':
          this.#insertSelect(clause, table?.name, insertColumns, scope);
          break;
        case 'from_clause':
          if (!addFromSources(clause.expr, scope, sources, this)) this.visit(clause, scope);
          break;
        case 'upsert_clause':
          this.#upsert(clause, table, scope);
          break;
        case 'with_clause':
        case 'update_clause':
        case 'delete_clause':
          break;
        default:
          this.visit(clause, scope);
      }
    }
    return result;
  }

  /** `INSERT INTO t (a, b) SELECT @a, @b …`: parameters take the type of the column they fill. */
  #insertSelect(
    select: SubSelect,
    table: string | undefined,
    columns: readonly string[] | undefined,
    scope: Scope,
  ): void {
    const inner = unparen(select);
    const clause =
      inner.type === 'select_stmt' ? inner.clauses.find((c) => c.type === 'select_clause') : undefined;
    (clause?.columns?.items ?? []).forEach((item, i) => {
      const into = this.#columnOf(table, columns?.[i]);
      if (into === undefined) return;
      for (const p of valueParameters(unalias(item)))
        this.#params.note(p, { kind: 'assigned', column: into.name }, into.type);
    });
    this.select(select, scope);
  }

  #set(clause: SetClause, table: string | undefined, scope: Scope): void {
    for (const a of clause.assignments.items) {
      if (a.column.type === 'identifier') {
        this.#assign(table, a.column.name, a.expr, scope);
        continue;
      }
      // `SET (a, b) = (@a, @b)`: each value is written to the column at its position.
      const columns = listItems(a.column);
      const values = listItems(a.expr);
      if (columns === undefined || values === undefined || columns.length !== values.length) {
        this.visit(a, scope);
        continue;
      }
      columns.forEach((c, i) => {
        const value = values[i];
        if (value === undefined) return;
        if (c.type === 'identifier') this.#assign(table, c.name, value, scope);
        else this.visit(value, scope);
      });
    }
  }

  #upsert(
    clause: UpsertClause,
    table: { name: string; columns: readonly NamedColumn[] } | undefined,
    scope: Scope,
  ): void {
    const withExcluded =
      table === undefined ? scope : scope.plus({ name: 'excluded', optional: false, columns: table.columns });
    if (clause.conflictTarget !== undefined) this.visit(clause.conflictTarget, scope);
    if (clause.where !== undefined) this.visit(clause.where, withExcluded);
    if (clause.action.type === 'upsert_action_update') {
      this.#set(clause.action.set, table?.name, withExcluded);
      if (clause.action.where !== undefined) this.visit(clause.action.where, withExcluded);
    }
  }

  /**
   * A value written to `table.column` (`SET c = …`, an inserted value): every parameter the value
   * yields unchanged (itself, a `CASE` result, a `coalesce` argument, …) takes the column's type.
   */
  #assign(table: string | undefined, column: string | undefined, value: Node, scope: Scope): void {
    if (value.type === 'default') return;
    const into = this.#columnOf(table, column);
    if (into === undefined) this.#expressions.type(value, scope);
    else this.#expressions.typeAs(value, scope, { kind: 'assigned', column: into.name }, into.type);
  }

  /** The schema column a value is written to, with the type a parameter written there takes. */
  #columnOf(
    table: string | undefined,
    column: string | undefined,
  ): { name: string; type: AnalyzedType } | undefined {
    if (table === undefined || column === undefined) return undefined;
    const col = this.#catalog.column(table, column);
    if (col === undefined) return undefined;
    const { origin: _origin, ...type } = columnType(this.#catalog, this.#overrides, col.table, col.name);
    return { name: col.name, type };
  }

  #resultColumns(list: ListExpr<Node>, scope: Scope): AnalyzedType[] | undefined {
    const out: AnalyzedType[] = [];
    for (const item of list.items) {
      if (item.type === 'all_columns') {
        for (const s of scope.sources) for (const c of s.columns) out.push(optionalType(c.type, s.optional));
      } else if (item.type === 'member_expr' && item.property.type === 'all_columns') {
        const source = item.object.type === 'identifier' ? scope.source(item.object.name) : undefined;
        if (source === undefined) return undefined;
        for (const c of source.columns) out.push(optionalType(c.type, source.optional));
      } else {
        out.push(this.#expressions.type(unalias(item), scope));
      }
    }
    return out;
  }
}

/** The expressions of one `VALUES` row. */
function rowItems(row: Node): Node[] {
  if (row.type === 'paren_expr' && row.expr.type === 'list_expr') return row.expr.items;
  if (row.type === 'row_constructor') return row.row.expr.items;
  return [];
}

/**
 * In an aggregate query without GROUP BY, SQLite still returns one row when nothing matches, and its
 * bare (non-aggregate) columns are NULL then.
 */
function bareColumnsOfAggregate(
  items: readonly Node[],
  types: readonly AnalyzedType[],
): readonly AnalyzedType[] {
  if (items.length !== types.length || !items.some((i) => isAggregateCall(unalias(i)))) return types;
  return types.map((t, i) => {
    const item = items[i];
    if (item === undefined) return t;
    const e = unalias(item);
    const constant = /_literal$/.test(e.type);
    return isAggregateCall(e) || constant ? t : { ...t, nullable: true };
  });
}
