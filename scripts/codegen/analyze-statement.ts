import type { ColumnOverride } from './codegen-config.js';
import { columnType } from './column-type.js';
import { sqlParserCst } from './load-cjs.js';
import type { SchemaCatalog } from './schema-catalog.js';
import { type SqlType, tsOfDeclared, UNKNOWN, unionTs } from './sql-type.js';

/**
 * What one use of a parameter says about its type.
 *
 * @example
 * ```ts
 * const hint: ParamHint = { type: { ts: 'number', nullable: false, integer: true }, array: true };
 * ```
 */
export interface ParamHint {
  readonly type: SqlType;
  /** Bound as a JSON array for `IN (SELECT value FROM json_each(@p))`. */
  readonly array: boolean;
}

/**
 * What the SQL syntax tree says about a statement: one type per result column (or `undefined` when
 * the tree could not be followed, so the caller falls back to what SQLite describes), and the
 * parameters in order of first appearance with the hints their uses give.
 *
 * @example
 * ```ts
 * const analysis = analyzeStatement('SELECT id FROM run WHERE pid = @pid', catalog, new Map());
 * analysis.params.get('pid'); // [{ type: { ts: 'number', nullable: false, integer: true }, array: false }]
 * ```
 */
export interface StatementAnalysis {
  readonly columns: readonly SqlType[] | undefined;
  readonly params: ReadonlyMap<string, ParamHint[]>;
  /**
   * The parameters the syntax tree holds as parameter nodes. The others were found only by scanning
   * the text (which also sees `$usd` in an identifier such as `price$usd`), so SQLite has to confirm them.
   */
  readonly treeParams: ReadonlySet<string>;
  /** Whether a parameter is written as `?` or `?NNN`, which the generator refuses. */
  readonly positional: boolean;
  /** Parameters the statement tests for NULL itself, so `null` is a meaningful value. */
  readonly nullableParams: ReadonlySet<string>;
  /** Whether the statement has an outer join anywhere (so columns the tree misses must be nullable). */
  readonly outerJoin: boolean;
  /** Set when the parser could not read the statement (SQLite may still accept it). */
  readonly parseError: string | undefined;
}

// The CST is walked structurally; its node union is large and only a few fields matter here.
type Node = { readonly type: string; readonly [key: string]: unknown };

interface Source {
  readonly name: string;
  readonly columns: readonly { name: string; type: SqlType }[];
  readonly optional: boolean;
}

interface Scope {
  readonly sources: readonly Source[];
  readonly outer: Scope | undefined;
  readonly ctes: ReadonlyMap<string, readonly { name: string; type: SqlType }[]>;
}

const COMPARISONS = new Set([
  '=',
  '==',
  '!=',
  '<>',
  '<',
  '>',
  '<=',
  '>=',
  'LIKE',
  'GLOB',
  'NOT LIKE',
  'NOT GLOB',
]);
const NUMBER_NN: SqlType = { ts: 'number', nullable: false, integer: true };
const STRING_TEXT_FNS = new Set([
  'lower',
  'upper',
  'trim',
  'ltrim',
  'rtrim',
  'replace',
  'substr',
  'substring',
  'hex',
  'quote',
  'char',
  'printf',
  'format',
  'concat',
  'concat_ws',
]);
const WINDOW_RANKS = new Set(['row_number', 'rank', 'dense_rank', 'ntile', 'percent_rank', 'cume_dist']);
const WINDOW_OFFSETS = new Set(['lag', 'lead', 'nth_value']);
const INT_FNS = new Set(['length', 'instr', 'unicode', 'sign', 'octet_length']);
const NN_INT_FNS = new Set(['random', 'changes', 'total_changes', 'last_insert_rowid', 'count']);

/**
 * Reads a statement's syntax tree to type its result columns and parameters.
 *
 * 1. Column references take the schema's type and NOT NULL; the optional side of LEFT/RIGHT/FULL
 *    joins, `MAX/MIN/SUM/AVG`, scalar subqueries, `CASE` without `ELSE` and `UNION` branches add
 *    `null`; `COUNT` and `TOTAL` never are; `COALESCE` is not null when any argument is not.
 * 2. A parameter takes the type of the column it is compared with, assigned to or inserted into;
 *    `IN (SELECT value FROM json_each(@p))` makes it an array.
 * 3. Anything not understood is `unknown` and nullable, never the reverse.
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
  const analyzer = new Analyzer(catalog, overrides);
  // Parameters are listed in order of first appearance in the text; the tree only adds hints.
  analyzer.collectParamsByText(sql);
  let program: Node;
  try {
    program = sqlParserCst().parse(sql, {
      dialect: 'sqlite',
      paramTypes: ['@name', ':name', '$name', '?', '?nr'],
    }) as unknown as Node;
  } catch (err) {
    return {
      columns: undefined,
      params: analyzer.params,
      treeParams: analyzer.treeParams,
      positional: analyzer.positional,
      nullableParams: analyzer.nullableParams,
      outerJoin: /\b(LEFT|RIGHT|FULL)\b/i.test(sql),
      parseError: (err as Error).message,
    };
  }
  const statements = (program.statements as Node[]).filter((s) => s.type !== 'empty');
  const stmt = statements[0];
  let columns: SqlType[] | undefined;
  let outerJoin = false;
  try {
    if (stmt !== undefined && statements.length === 1) columns = analyzer.statement(stmt);
    outerJoin = analyzer.outerJoin;
  } catch {
    // A tree shape this analyzer does not know: fall back to what SQLite describes, all nullable.
    columns = undefined;
    outerJoin = true;
  }
  return {
    columns,
    params: analyzer.params,
    treeParams: analyzer.treeParams,
    positional: analyzer.positional,
    nullableParams: analyzer.nullableParams,
    outerJoin,
    parseError: undefined,
  };
}

class Analyzer {
  readonly params = new Map<string, ParamHint[]>();
  readonly treeParams = new Set<string>();
  /** Parameters the SQL itself tests for NULL (`@p IS NULL`, `coalesce(@p, …)`): null is meant. */
  readonly nullableParams = new Set<string>();
  positional = false;
  outerJoin = false;
  readonly #catalog: SchemaCatalog;
  readonly #overrides: ReadonlyMap<string, ColumnOverride>;

  constructor(catalog: SchemaCatalog, overrides: ReadonlyMap<string, ColumnOverride>) {
    this.#catalog = catalog;
    this.#overrides = overrides;
  }

  collectParamsByText(sql: string): void {
    const stripped = sql.replace(
      /'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|--[^\n]*|\/\*[\s\S]*?\*\//g,
      ' ',
    );
    // Digits too: SQLite binds `@1`, and the caller refuses such names with a clear message.
    for (const m of stripped.matchAll(/[@:$]([A-Za-z0-9_]+)/g)) this.#param(m[1] ?? '');
    if (stripped.includes('?')) this.positional = true;
  }

  /** Result column types of a top-level statement, or `undefined` when not followed. */
  statement(stmt: Node): SqlType[] | undefined {
    const empty: Scope = { sources: [], outer: undefined, ctes: new Map() };
    switch (stmt.type) {
      case 'select_stmt':
      case 'compound_select_stmt':
        return this.select(stmt, empty);
      case 'insert_stmt':
      case 'update_stmt':
      case 'delete_stmt':
        return this.dml(stmt, empty);
      default:
        this.walk(stmt, empty);
        return undefined;
    }
  }

  select(node: Node, outer: Scope): SqlType[] | undefined {
    if (node.type === 'compound_select_stmt') {
      const left = this.select(node.left as Node, outer);
      const right = this.select(node.right as Node, outer);
      if (left === undefined || right === undefined || left.length !== right.length) return undefined;
      return left.map((l, i) => {
        const r = right[i] ?? UNKNOWN;
        return {
          ts: unionTs(l.ts, r.ts),
          nullable: l.nullable || r.nullable,
          integer: l.integer && r.integer,
        };
      });
    }
    if (node.type === 'paren_expr') return this.select(node.expr as Node, outer);
    if (node.type !== 'select_stmt') {
      this.walk(node, outer);
      return undefined;
    }
    const clauses = node.clauses as Node[];
    let ctes = outer.ctes;
    const withClause = clauses.find((c) => c.type === 'with_clause');
    if (withClause !== undefined) ctes = this.#ctes(withClause, outer);
    const from = clauses.find((c) => c.type === 'from_clause');
    const sources: Source[] = [];
    const scope: Scope = { sources, outer, ctes };
    if (from !== undefined) {
      if (!this.#sources(from.expr as Node, scope, sources, false)) {
        this.walk(node, scope);
        return undefined;
      }
    }
    let result: SqlType[] | undefined;
    for (const clause of clauses) {
      if (clause.type === 'select_clause') {
        result = this.#resultColumns(clause.columns as Node, scope);
        if (result !== undefined && !clauses.some((c) => c.type === 'group_by_clause')) {
          result = bareColumnsOfAggregate(clause.columns as Node, result);
        }
      } else if (clause.type === 'values_clause') {
        const rows = ((clause.values as Node).items as Node[]).map((row) =>
          (((row.expr as Node)?.items as Node[] | undefined) ?? []).map((e) => this.expr(e, scope)),
        );
        result = rows[0]?.map((t, i) =>
          rows.slice(1).reduce<SqlType>((acc, row) => {
            const r = row[i] ?? UNKNOWN;
            return {
              ts: unionTs(acc.ts, r.ts),
              nullable: acc.nullable || r.nullable,
              integer: acc.integer && r.integer,
            };
          }, t),
        );
      } else if (clause.type === 'limit_clause') {
        for (const key of ['count', 'offset']) {
          const e = clause[key] as Node | undefined;
          if (e?.type === 'parameter') this.#hint(e, NUMBER_NN, false);
          else if (e !== undefined) this.expr(e, scope);
        }
      } else if (clause.type !== 'from_clause' && clause.type !== 'with_clause') this.walk(clause, scope);
    }
    return result;
  }

  dml(stmt: Node, outer: Scope): SqlType[] | undefined {
    const clauses = stmt.clauses as Node[];
    let ctes = outer.ctes;
    const withClause = clauses.find((c) => c.type === 'with_clause');
    if (withClause !== undefined) ctes = this.#ctes(withClause, outer);
    const sources: Source[] = [];
    const scope: Scope = { sources, outer, ctes };
    let insertColumns: string[] | undefined;
    let target: string | undefined;
    let targetNode: Node | undefined;
    for (const clause of clauses) {
      if (clause.type === 'insert_clause') targetNode = clause.table as Node;
      else if (clause.type === 'update_clause' || clause.type === 'delete_clause') {
        targetNode = ((clause.tables as Node).items as Node[] | undefined)?.[0];
      }
    }
    if (targetNode !== undefined) target = tableName(targetNode);
    if (target !== undefined) {
      const alias = targetNode?.type === 'alias' ? String((targetNode.alias as Node).name) : undefined;
      const table = this.#catalog.table(target);
      if (table !== undefined) {
        const columns = table.columns.map((c) => ({ name: c.name, type: this.#columnType(c.table, c.name) }));
        sources.push({ name: table.name, optional: false, columns });
        if (alias !== undefined) sources.push({ name: alias, optional: false, columns });
      }
    }
    let result: SqlType[] | undefined;
    for (const clause of clauses) {
      switch (clause.type) {
        case 'insert_clause': {
          const cols = clause.columns as Node | undefined;
          insertColumns = ((cols?.expr as Node | undefined)?.items as Node[] | undefined)?.map((c) =>
            String(c.name ?? ''),
          );
          if (insertColumns === undefined && target !== undefined) {
            insertColumns = this.#catalog.table(target)?.columns.map((c) => c.name);
          }
          break;
        }
        case 'values_clause': {
          for (const row of ((clause.values as Node).items as Node[]) ?? []) {
            const values = ((row.expr as Node | undefined)?.items as Node[] | undefined) ?? [];
            values.forEach((v, i) => {
              this.#assign(target, insertColumns?.[i], v, scope);
            });
          }
          break;
        }
        case 'set_clause': {
          for (const a of ((clause.assignments as Node).items as Node[]) ?? []) {
            const col = a.column as Node;
            if (col.type === 'identifier') this.#assign(target, String(col.name), a.expr as Node, scope);
            else this.walk(a, scope);
          }
          break;
        }
        case 'returning_clause':
          result = this.#resultColumns(clause.columns as Node, scope);
          break;
        case 'select_stmt':
        case 'compound_select_stmt':
          this.#insertSelect(clause, target, insertColumns, scope);
          break;
        case 'from_clause':
          if (!this.#sources(clause.expr as Node, scope, sources, false)) this.walk(clause, scope);
          break;
        case 'with_clause':
        case 'update_clause':
        case 'delete_clause':
          break;
        case 'upsert_clause':
          this.#upsert(clause, target, scope);
          break;
        default:
          this.walk(clause, scope);
      }
    }
    return result;
  }

  /** `INSERT INTO t (a, b) SELECT @a, @b ...`: parameters take the type of the column they fill. */
  #insertSelect(select: Node, target: string | undefined, columns: string[] | undefined, scope: Scope): void {
    const selectClause =
      select.type === 'select_stmt'
        ? (select.clauses as Node[]).find((c) => c.type === 'select_clause')
        : undefined;
    const items = ((selectClause?.columns as Node | undefined)?.items as Node[] | undefined) ?? [];
    items.forEach((item, i) => {
      const e = item.type === 'alias' ? (item.expr as Node) : item;
      if (e.type === 'parameter') this.#assign(target, columns?.[i], e, scope);
    });
    this.select(select, scope);
  }

  #upsert(clause: Node, target: string | undefined, scope: Scope): void {
    const excluded = this.#catalog.table(target ?? '');
    const withExcluded: Scope =
      excluded === undefined
        ? scope
        : {
            ...scope,
            sources: [
              ...scope.sources,
              {
                name: 'excluded',
                optional: false,
                columns: excluded.columns.map((c) => ({
                  name: c.name,
                  type: this.#columnType(c.table, c.name),
                })),
              },
            ],
          };
    const visit = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(visit);
      else if (isNode(n)) {
        if (n.type === 'set_clause') {
          for (const a of ((n.assignments as Node).items as Node[]) ?? []) {
            const col = a.column as Node;
            if (col.type === 'identifier')
              this.#assign(target, String(col.name), a.expr as Node, withExcluded);
            else this.walk(a, withExcluded);
          }
        } else if (n.type === 'where_clause') this.walk(n, withExcluded);
        else for (const v of Object.values(n)) visit(v);
      }
    };
    visit(clause);
  }

  #assign(table: string | undefined, column: string | undefined, value: Node, scope: Scope): void {
    if (value.type === 'parameter' && table !== undefined && column !== undefined) {
      const col = this.#catalog.column(table, column);
      if (col !== undefined) {
        this.#hint(value, this.#columnType(col.table, col.name), false);
        return;
      }
    }
    this.expr(value, scope);
  }

  #ctes(withClause: Node, outer: Scope): Map<string, readonly { name: string; type: SqlType }[]> {
    const ctes = new Map(outer.ctes);
    for (const cte of ((withClause.tables as Node).items as Node[]) ?? []) {
      const name = String((cte.table as Node).name ?? '').toLowerCase();
      const explicit = ((cte.columns as Node | undefined)?.expr as Node | undefined)?.items as
        | Node[]
        | undefined;
      const body = cte.expr as Node;
      const types = this.select(body, { ...outer, ctes });
      const names = explicit?.map((c) => String(c.name)) ?? selectNames(body);
      if (types !== undefined && names !== undefined && names.length === types.length) {
        ctes.set(
          name,
          types.map((type, i) => ({ name: names[i] ?? '', type })),
        );
      }
    }
    return ctes;
  }

  /** Adds the sources of a FROM expression; false when one of them is not understood. */
  #sources(expr: Node, scope: Scope, out: Source[], optional: boolean): boolean {
    switch (expr.type) {
      case 'join_expr': {
        const ops = keywords(expr.operator);
        const leftOptional = ops.includes('RIGHT') || ops.includes('FULL');
        const rightOptional = ops.includes('LEFT') || ops.includes('FULL');
        if (leftOptional || rightOptional) this.outerJoin = true;
        const before = out.length;
        if (!this.#sources(expr.left as Node, scope, out, optional)) return false;
        if (leftOptional) {
          for (let i = before; i < out.length; i++) out[i] = { ...(out[i] as Source), optional: true };
        }
        if (!this.#sources(expr.right as Node, scope, out, optional || rightOptional)) return false;
        const spec = expr.specification as Node | undefined;
        if (spec !== undefined) this.walk(spec, scope);
        return true;
      }
      case 'paren_expr': {
        const inner = expr.expr as Node;
        if (inner.type === 'select_stmt' || inner.type === 'compound_select_stmt') {
          return this.#subquery(inner, undefined, scope, out, optional);
        }
        return this.#sources(inner, scope, out, optional);
      }
      case 'alias': {
        const inner = expr.expr as Node;
        const alias = String((expr.alias as Node).name);
        if (inner.type === 'paren_expr') {
          const sub = inner.expr as Node;
          if (sub.type === 'select_stmt' || sub.type === 'compound_select_stmt') {
            return this.#subquery(sub, alias, scope, out, optional);
          }
        }
        return this.#named(inner, alias, scope, out, optional);
      }
      default:
        return this.#named(expr, undefined, scope, out, optional);
    }
  }

  #subquery(sub: Node, alias: string | undefined, scope: Scope, out: Source[], optional: boolean): boolean {
    const types = this.select(sub, { sources: [], outer: scope.outer, ctes: scope.ctes });
    const names = selectNames(sub);
    if (types === undefined || names === undefined || names.length !== types.length) return false;
    out.push({
      name: alias ?? '',
      optional,
      columns: types.map((type, i) => ({ name: names[i] ?? '', type })),
    });
    return true;
  }

  #named(expr: Node, alias: string | undefined, scope: Scope, out: Source[], optional: boolean): boolean {
    if (expr.type === 'func_call') {
      const fn = String((expr.name as Node).name ?? '').toLowerCase();
      this.walk(expr.args, scope);
      if (fn !== 'json_each' && fn !== 'json_tree') return false;
      const any: SqlType = UNKNOWN;
      const text: SqlType = { ts: 'string', nullable: true, integer: false };
      out.push({
        name: alias ?? fn,
        optional,
        columns: [
          { name: 'key', type: any },
          { name: 'value', type: any },
          { name: 'type', type: { ts: 'string', nullable: false, integer: false } },
          { name: 'atom', type: any },
          { name: 'id', type: { ts: 'number', nullable: false, integer: true } },
          { name: 'parent', type: { ts: 'number', nullable: true, integer: true } },
          { name: 'fullkey', type: { ts: 'string', nullable: false, integer: false } },
          { name: 'path', type: text },
        ],
      });
      return true;
    }
    const name = tableName(expr);
    if (name === undefined) return false;
    const cte = scope.ctes.get(name.toLowerCase());
    if (cte !== undefined) {
      out.push({ name: alias ?? name, optional, columns: cte });
      return true;
    }
    const table = this.#catalog.table(name);
    if (table === undefined) return false;
    out.push({
      name: alias ?? table.name,
      optional,
      columns: table.columns.map((c) => ({ name: c.name, type: this.#columnType(c.table, c.name) })),
    });
    return true;
  }

  #resultColumns(list: Node, scope: Scope): SqlType[] | undefined {
    const out: SqlType[] = [];
    let ok = true;
    for (const item of (list.items as Node[]) ?? []) {
      if (item.type === 'all_columns') {
        for (const s of scope.sources) for (const c of s.columns) out.push(optionalize(c.type, s.optional));
      } else if (item.type === 'member_expr' && (item.property as Node).type === 'all_columns') {
        const source = findSource(scope, String((item.object as Node).name ?? ''));
        if (source === undefined) ok = false;
        else for (const c of source.columns) out.push(optionalize(c.type, source.optional));
      } else if (item.type === 'alias') {
        out.push(this.expr(item.expr as Node, scope));
      } else {
        out.push(this.expr(item, scope));
      }
    }
    return ok ? out : undefined;
  }

  /** Type of an expression; records parameter hints on the way. */
  expr(e: Node, scope: Scope): SqlType {
    switch (e.type) {
      case 'identifier':
        return this.#ref(undefined, String(e.name), scope);
      case 'member_expr': {
        const object = e.object as Node;
        const property = e.property as Node;
        if (property.type !== 'identifier') return UNKNOWN;
        if (object.type === 'member_expr') {
          return this.#ref(String((object.property as Node).name), String(property.name), scope);
        }
        return this.#ref(String(object.name), String(property.name), scope);
      }
      case 'number_literal':
        return { ts: 'number', nullable: false, integer: /^[0-9]+$|^0x/i.test(String(e.text)) };
      case 'string_literal':
        return { ts: 'string', nullable: false, integer: false };
      case 'blob_literal':
        return { ts: 'Buffer', nullable: false, integer: false };
      case 'boolean_literal':
        return NUMBER_NN;
      case 'null_literal':
        return { ts: 'null', nullable: true, integer: false };
      case 'parameter':
        this.#paramNode(e);
        return UNKNOWN;
      case 'paren_expr': {
        const inner = e.expr as Node;
        if (inner.type === 'select_stmt' || inner.type === 'compound_select_stmt') {
          const cols = this.select(inner, scope);
          const first = cols?.[0];
          if (first === undefined) return UNKNOWN;
          // An aggregate without GROUP BY (or LIMIT) yields exactly one row, so only its own null counts.
          return singleRowAggregate(inner) ? first : { ...first, nullable: true };
        }
        if (inner.type === 'list_expr') {
          for (const item of (inner.items as Node[]) ?? []) this.expr(item, scope);
          return UNKNOWN;
        }
        return this.expr(inner, scope);
      }
      case 'exists_expr':
        this.walk(e.expr, scope);
        return NUMBER_NN;
      case 'binary_expr':
        return this.#binary(e, scope);
      case 'prefix_op_expr':
      case 'unary_expr': {
        const op = opText(e.operator);
        if (op === 'EXISTS' || op === 'NOT EXISTS') {
          this.walk(e.expr, scope);
          return NUMBER_NN;
        }
        const t = this.expr(e.expr as Node, scope);
        if (op === 'NOT') return { ts: 'number', nullable: t.nullable, integer: true };
        if (op === '~') return { ts: 'number', nullable: t.nullable, integer: true };
        if (op === '-' || op === '+') return t.ts === 'number' || t.ts === 'bigint' ? t : { ...UNKNOWN };
        return UNKNOWN;
      }
      case 'postfix_op_expr': {
        if ((e.expr as Node).type === 'parameter') this.#nullable(e.expr as Node);
        const t = this.expr(e.expr as Node, scope);
        const op = opText(e.operator);
        if (op === 'ISNULL' || op === 'NOTNULL' || op === 'NOT NULL' || op === 'IS NULL') return NUMBER_NN;
        return { ...UNKNOWN, nullable: t.nullable || true };
      }
      case 'between_expr': {
        const left = this.expr(e.left as Node, scope);
        const parts = [e.begin, e.end] as Node[];
        let nullable = left.nullable;
        for (const p of parts) {
          if (p?.type === 'parameter') this.#hint(p, { ...left, nullable: false }, false);
          else if (p !== undefined) nullable = this.expr(p, scope).nullable || nullable;
        }
        return { ts: 'number', nullable, integer: true };
      }
      case 'case_expr':
        return this.#case(e, scope);
      case 'cast_expr': {
        const arg = (e.args as Node).expr as Node;
        const inner = this.expr(arg.expr as Node, scope);
        const declared = typeName(arg.dataType as Node);
        const mapped = tsOfDeclared(declared);
        const ts =
          mapped.ts === 'unknown' && /NUMERIC|DECIMAL|BOOLEAN|DATE/i.test(declared) ? 'number' : mapped.ts;
        // `CAST(@p AS INTEGER)` is how a query types a parameter that meets no column.
        if ((arg.expr as Node).type === 'parameter' && ts !== 'unknown') {
          this.#hint(arg.expr as Node, { ts, nullable: true, integer: mapped.integer }, false);
        }
        return { ts, nullable: inner.nullable, integer: mapped.integer };
      }
      case 'func_call':
        return this.#call(e, scope);
      default:
        this.walk(e, scope);
        return UNKNOWN;
    }
  }

  #binary(e: Node, scope: Scope): SqlType {
    const op = opText(e.operator);
    const left = e.left as Node;
    const right = e.right as Node;
    if (op === 'IN' || op === 'NOT IN') {
      const lt = this.expr(left, scope);
      const array = jsonEachParam(right);
      if (array !== undefined) {
        this.#hint(array, { ...lt, nullable: false }, true);
        this.walk(right, scope);
        return { ts: 'number', nullable: lt.nullable, integer: true };
      }
      if (right.type === 'paren_expr' && (right.expr as Node).type === 'list_expr') {
        for (const item of ((right.expr as Node).items as Node[]) ?? []) {
          if (item.type === 'parameter') this.#hint(item, { ...lt, nullable: false }, false);
          else this.expr(item, scope);
        }
        return { ts: 'number', nullable: true, integer: true };
      }
      this.expr(right, scope);
      return { ts: 'number', nullable: true, integer: true };
    }
    const isNullTest =
      op === 'IS' || op === 'IS NOT' || op === 'IS DISTINCT FROM' || op === 'IS NOT DISTINCT FROM';
    if (COMPARISONS.has(op) || isNullTest) {
      const lp = left.type === 'parameter';
      const rp = right.type === 'parameter';
      const lt = lp ? UNKNOWN : this.expr(left, scope);
      const rt = rp ? UNKNOWN : this.expr(right, scope);
      if (lp) this.#hint(left, { ...rt, nullable: isNullTest || rt.ts === 'unknown' }, false);
      if (rp) this.#hint(right, { ...lt, nullable: isNullTest || lt.ts === 'unknown' }, false);
      if (isNullTest && lp) this.#nullable(left);
      if (isNullTest && rp) this.#nullable(right);
      return { ts: 'number', nullable: isNullTest ? false : lt.nullable || rt.nullable, integer: true };
    }
    const lt = this.expr(left, scope);
    const rt = this.expr(right, scope);
    const nullable = lt.nullable || rt.nullable;
    // `qty + @amount`: the parameter is an operand of the same kind as the other side, and a NULL
    // would only turn the result into NULL.
    const operand: SqlType | undefined =
      op === '||'
        ? { ts: 'string', nullable: false, integer: false }
        : ['+', '-', '*', '/', '%'].includes(op)
          ? { ts: 'number', nullable: false, integer: false }
          : undefined;
    if (operand !== undefined) {
      if (left.type === 'parameter') this.#hint(left, operand, false);
      if (right.type === 'parameter') this.#hint(right, operand, false);
    }
    switch (op) {
      case '||':
        return { ts: 'string', nullable, integer: false };
      case '->':
        return { ts: 'string', nullable: true, integer: false };
      case '->>':
        return UNKNOWN;
      case '+':
      case '-':
      case '*':
        return { ts: 'number', nullable, integer: lt.integer && rt.integer };
      case '/':
      case '%':
        // Division by zero is NULL in SQLite.
        return { ts: 'number', nullable: true, integer: lt.integer && rt.integer };
      case '&':
      case '|':
      case '<<':
      case '>>':
        return { ts: 'number', nullable, integer: true };
      case 'AND':
      case 'OR':
        return { ts: 'number', nullable, integer: true };
      default:
        return { ts: 'number', nullable: true, integer: false };
    }
  }

  #case(e: Node, scope: Scope): SqlType {
    if (e.expr !== undefined && e.expr !== null) this.expr(e.expr as Node, scope);
    let result: SqlType | undefined;
    let hasElse = false;
    for (const clause of (e.clauses as Node[]) ?? []) {
      let t: SqlType;
      if (clause.type === 'case_when') {
        this.expr(clause.condition as Node, scope);
        t = this.expr(clause.result as Node, scope);
      } else {
        hasElse = true;
        t = this.expr(clause.result as Node, scope);
      }
      result =
        result === undefined
          ? t
          : {
              ts: unionTs(result.ts, t.ts),
              nullable: result.nullable || t.nullable,
              integer: result.integer && t.integer,
            };
    }
    if (result === undefined) return UNKNOWN;
    const ts = result.ts === 'null' ? 'unknown' : result.ts.replace(/^null \| | \| null$/, '');
    return { ts, nullable: result.nullable || !hasElse, integer: result.integer };
  }

  #call(e: Node, scope: Scope): SqlType {
    const fn = String((e.name as Node).name ?? '').toLowerCase();
    const argsNode = (e.args as Node | undefined)?.expr as Node | undefined;
    const argNodes = ((argsNode?.args as Node | undefined)?.items as Node[] | undefined) ?? [];
    const star = argNodes.some((a) => a.type === 'all_columns');
    const args = argNodes.filter((a) => a.type !== 'all_columns').map((a) => this.expr(a, scope));
    if (e.filter !== undefined && e.filter !== null) this.walk(e.filter, scope);
    if (e.over !== undefined && e.over !== null) this.walk(e.over, scope);
    const anyNull = args.some((a) => a.nullable);
    const first = args[0] ?? UNKNOWN;
    if (fn === 'count' || (star && fn === 'count')) return NUMBER_NN;
    if (NN_INT_FNS.has(fn)) return NUMBER_NN;
    if (e.over !== undefined && e.over !== null) {
      // Window functions: ranks always have a value; offsets (lag, lead, nth_value) can fall outside
      // the frame and give NULL; aggregates over a window see at least the current row.
      if (WINDOW_RANKS.has(fn))
        return fn === 'percent_rank' || fn === 'cume_dist' ? { ...NUMBER_NN, integer: false } : NUMBER_NN;
      if (WINDOW_OFFSETS.has(fn)) return { ...first, nullable: true };
      if (fn === 'first_value' || fn === 'last_value') return first;
    }
    switch (fn) {
      case 'total':
        return { ts: 'number', nullable: false, integer: false };
      case 'sum':
        return { ts: 'number', nullable: true, integer: first.integer };
      case 'avg':
        return { ts: 'number', nullable: true, integer: false };
      case 'max':
      case 'min':
        if (args.length === 1) return { ...first, nullable: true };
        return args.reduce((acc, a) => ({
          ts: unionTs(acc.ts, a.ts),
          nullable: acc.nullable || a.nullable,
          integer: acc.integer && a.integer,
        }));
      case 'coalesce':
      case 'ifnull': {
        // `coalesce(@p, col)`: the parameter may be NULL and is otherwise of the other arguments' type.
        const other = args.find((a) => a.ts !== 'unknown' && a.ts !== 'null');
        for (const a of argNodes) {
          if (a.type !== 'parameter') continue;
          this.#nullable(a);
          if (other !== undefined) this.#hint(a, { ...other, nullable: true }, false);
        }
        const known = args.filter((a) => a.ts !== 'null');
        if (known.length === 0) return UNKNOWN;
        const ts = known.map((a) => a.ts).reduce(unionTs);
        return { ts, nullable: args.every((a) => a.nullable), integer: known.every((a) => a.integer) };
      }
      case 'nullif':
        return { ...first, nullable: true };
      case 'iif':
      case 'if': {
        // iif(condition, then, else): CASE WHEN with an ELSE.
        const [, a, b] = args;
        if (a === undefined || b === undefined || args.length !== 3) return UNKNOWN;
        const ts = a.ts === 'null' ? b.ts : b.ts === 'null' ? a.ts : unionTs(a.ts, b.ts);
        return {
          ts: ts === 'null' ? 'unknown' : ts,
          nullable: a.nullable || b.nullable,
          integer: a.integer && b.integer,
        };
      }
      case 'abs':
        return { ts: 'number', nullable: first.nullable, integer: first.integer };
      case 'round':
        return { ts: 'number', nullable: anyNull, integer: false };
      case 'typeof':
        return { ts: 'string', nullable: false, integer: false };
      case 'group_concat':
      case 'string_agg':
        return { ts: 'string', nullable: true, integer: false };
      case 'json_array':
      case 'json_object':
      case 'json_group_array':
      case 'json_group_object':
        return { ts: 'string', nullable: false, integer: false };
      case 'json':
        return { ts: 'string', nullable: anyNull, integer: false };
      case 'json_array_length':
        return { ts: 'number', nullable: true, integer: true };
      case 'json_valid':
        return { ts: 'number', nullable: false, integer: true };
      case 'date':
      case 'time':
      case 'datetime':
      case 'strftime':
      case 'julianday':
      case 'unixepoch': {
        // Invalid time values give NULL, so only literal arguments are known to succeed.
        const literal = argNodes.every((a) => a.type === 'string_literal' || a.type === 'number_literal');
        const ts = fn === 'julianday' || fn === 'unixepoch' ? 'number' : 'string';
        return { ts, nullable: !literal, integer: fn === 'unixepoch' };
      }
      default:
        if (STRING_TEXT_FNS.has(fn)) return { ts: 'string', nullable: anyNull, integer: false };
        if (INT_FNS.has(fn)) return { ts: 'number', nullable: anyNull, integer: true };
        return UNKNOWN;
    }
  }

  #ref(qualifier: string | undefined, column: string, scope: Scope): SqlType {
    for (let s: Scope | undefined = scope; s !== undefined; s = s.outer) {
      for (const source of s.sources) {
        if (qualifier !== undefined && source.name.toLowerCase() !== qualifier.toLowerCase()) continue;
        const c = source.columns.find((col) => col.name.toLowerCase() === column.toLowerCase());
        if (c !== undefined) return optionalize(c.type, source.optional);
      }
    }
    if (qualifier === undefined && column.toLowerCase() === 'rowid') return NUMBER_NN;
    return UNKNOWN;
  }

  #columnType(table: string, column: string): SqlType {
    return columnType(this.#catalog, this.#overrides, table, column);
  }

  #param(name: string): void {
    if (!this.params.has(name)) this.params.set(name, []);
  }

  /** Registers a parameter node; returns its name, or `undefined` for a positional `?`. */
  #paramNode(node: Node): string | undefined {
    if (String(node.text).startsWith('?')) {
      this.positional = true;
      return undefined;
    }
    const name = paramName(node);
    this.#param(name);
    this.treeParams.add(name);
    return name;
  }

  #nullable(node: Node): void {
    const name = this.#paramNode(node);
    if (name !== undefined) this.nullableParams.add(name);
  }

  #hint(node: Node, type: SqlType, array: boolean): void {
    const name = this.#paramNode(node);
    if (name === undefined) return;
    if (type.ts !== 'unknown' && type.ts !== 'null') this.params.get(name)?.push({ type, array });
    else if (array) this.params.get(name)?.push({ type: { ...UNKNOWN, nullable: false }, array });
  }

  /** Visits every sub-expression of a node for parameter hints; nested selects get their own scope. */
  walk(n: unknown, scope: Scope): void {
    if (Array.isArray(n)) {
      for (const item of n) this.walk(item, scope);
      return;
    }
    if (!isNode(n)) return;
    if (n.type === 'select_stmt' || n.type === 'compound_select_stmt') {
      this.select(n, scope);
      return;
    }
    if (n.type === 'parameter') {
      this.#paramNode(n);
      return;
    }
    if (
      n.type === 'binary_expr' ||
      n.type === 'func_call' ||
      n.type === 'case_expr' ||
      n.type === 'between_expr' ||
      n.type === 'cast_expr' ||
      n.type === 'unary_expr' ||
      n.type === 'exists_expr'
    ) {
      this.expr(n, scope);
      return;
    }
    for (const [key, value] of Object.entries(n)) {
      if (key !== 'range') this.walk(value, scope);
    }
  }
}

function isNode(n: unknown): n is Node {
  return typeof n === 'object' && n !== null && typeof (n as { type?: unknown }).type === 'string';
}

function optionalize(t: SqlType, optional: boolean): SqlType {
  return optional && !t.nullable ? { ...t, nullable: true } : t;
}

function findSource(scope: Scope, name: string): Source | undefined {
  for (let s: Scope | undefined = scope; s !== undefined; s = s.outer) {
    const found = s.sources.find((src) => src.name.toLowerCase() === name.toLowerCase());
    if (found !== undefined) return found;
  }
  return undefined;
}

function paramName(node: Node): string {
  return String(node.text ?? '').replace(/^[@:$]/, '');
}

function keywords(op: unknown): string[] {
  if (Array.isArray(op)) return op.map((k) => String((k as Node).name ?? '').toUpperCase());
  if (isNode(op)) return [String(op.name ?? '').toUpperCase()];
  return [];
}

function opText(op: unknown): string {
  if (typeof op === 'string') return op.toUpperCase();
  return keywords(op).join(' ');
}

function tableName(n: Node): string | undefined {
  if (n.type === 'identifier') return String(n.name);
  if (n.type === 'member_expr') return String((n.property as Node).name);
  if (n.type === 'alias') return tableName(n.expr as Node);
  return undefined;
}

function typeName(dataType: Node): string {
  const name = dataType.name;
  if (Array.isArray(name)) return name.map((k) => String((k as Node).name)).join(' ');
  if (isNode(name)) return String(name.name ?? name.text ?? '');
  return String(name ?? '');
}

/** `(SELECT value FROM json_each(@p))` → the `@p` node. */
function jsonEachParam(right: Node): Node | undefined {
  if (right.type !== 'paren_expr') return undefined;
  const select = right.expr as Node;
  if (select.type !== 'select_stmt') return undefined;
  const from = (select.clauses as Node[]).find((c) => c.type === 'from_clause');
  let call = from?.expr as Node | undefined;
  if (call?.type === 'alias') call = call.expr as Node;
  if (call?.type !== 'func_call') return undefined;
  if (String((call.name as Node).name).toLowerCase() !== 'json_each') return undefined;
  const args = (((call.args as Node).expr as Node).args as Node | undefined)?.items as Node[] | undefined;
  const arg = args?.[0];
  return args?.length === 1 && arg?.type === 'parameter' ? arg : undefined;
}

/** Output names of a select's columns, when every one is an identifier or aliased. */
function selectNames(node: Node): string[] | undefined {
  if (node.type === 'paren_expr') return selectNames(node.expr as Node);
  if (node.type === 'compound_select_stmt') return selectNames(node.left as Node);
  if (node.type !== 'select_stmt') return undefined;
  const clause = (node.clauses as Node[]).find((c) => c.type === 'select_clause');
  if (clause === undefined) return undefined;
  const names: string[] = [];
  for (const item of ((clause.columns as Node).items as Node[]) ?? []) {
    if (item.type === 'alias') names.push(String((item.alias as Node).name));
    else if (item.type === 'identifier') names.push(String(item.name));
    else if (item.type === 'member_expr' && (item.property as Node).type === 'identifier') {
      names.push(String((item.property as Node).name));
    } else return undefined;
  }
  return names;
}

const AGGREGATES = new Set(['count', 'total', 'sum', 'avg', 'max', 'min', 'group_concat', 'string_agg']);

/** `SELECT count(*) FROM …` without GROUP BY, HAVING, LIMIT or a compound: always exactly one row. */
function singleRowAggregate(select: Node): boolean {
  if (select.type !== 'select_stmt') return false;
  const clauses = select.clauses as Node[];
  if (
    clauses.some(
      (c) => c.type === 'group_by_clause' || c.type === 'limit_clause' || c.type === 'having_clause',
    )
  ) {
    return false;
  }
  const items = (clauses.find((c) => c.type === 'select_clause')?.columns as Node | undefined)?.items as
    | Node[]
    | undefined;
  let first = items?.[0];
  if (first?.type === 'alias') first = first.expr as Node;
  if (items?.length !== 1 || first?.type !== 'func_call') return false;
  const args = (((first.args as Node | undefined)?.expr as Node | undefined)?.args as Node | undefined)
    ?.items as Node[] | undefined;
  const name = String((first.name as Node).name ?? '').toLowerCase();
  return AGGREGATES.has(name) && (name === 'count' || (args?.length ?? 0) <= 1) && first.over == null;
}

/**
 * In an aggregate query without GROUP BY, SQLite still returns one row when nothing matches, and its
 * bare (non-aggregate) columns are NULL then.
 */
function bareColumnsOfAggregate(list: Node, types: SqlType[]): SqlType[] {
  const items = (list.items as Node[] | undefined) ?? [];
  const unwrap = (n: Node): Node => (n.type === 'alias' ? (n.expr as Node) : n);
  const isAggregate = (n: Node): boolean =>
    n.type === 'func_call' &&
    AGGREGATES.has(String((n.name as Node).name ?? '').toLowerCase()) &&
    n.over == null;
  if (items.length !== types.length || !items.some((i) => isAggregate(unwrap(i)))) return types;
  return types.map((t, i) => {
    const item = unwrap(items[i] as Node);
    const constant = /_literal$/.test(item.type);
    return isAggregate(item) || constant ? t : { ...t, nullable: true };
  });
}
