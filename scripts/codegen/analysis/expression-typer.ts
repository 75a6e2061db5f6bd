import type { CaseExpr, DataType, FuncCall, Node, SubSelect } from 'sql-parser-cst';
import { functionArgumentType } from '../function-arguments.js';
import { isAggregateForm } from '../function-table.js';
import { ANY_VALUE, type AnalyzedType, isNumeric, storageOfDeclared, unionType } from '../value-type.js';
import { functionCallType } from './function-call-type.js';
import type { ParamContext, ParameterUses } from './parameter-uses.js';
import type { Scope } from './scope.js';
import {
  childNodes,
  firstColumnRef,
  functionArgs,
  functionName,
  isSubSelect,
  listItems,
  operatorText,
  unalias,
  unparen,
} from './syntax-tree.js';
import { valueParameters } from './value-parameters.js';

/**
 * What the expression stage asks the statement stage: the result types of a nested select.
 *
 * @example
 * ```ts
 * const selects: SelectTyper = { select: (node, outer) => statements.select(node, outer) };
 * ```
 */
export interface SelectTyper {
  select(node: SubSelect, outer: Scope): readonly AnalyzedType[] | undefined;
}

/** Comparisons whose operands are text whatever they are compared with (a pattern, a query). */
const TEXT_MATCHES = new Set([
  'LIKE',
  'GLOB',
  'NOT LIKE',
  'NOT GLOB',
  'MATCH',
  'NOT MATCH',
  'REGEXP',
  'NOT REGEXP',
]);
const COMPARISONS = new Set(['=', '==', '!=', '<>', '<', '>', '<=', '>=', ...TEXT_MATCHES]);
const NULL_TESTS = new Set(['IS', 'IS NOT', 'IS DISTINCT FROM', 'IS NOT DISTINCT FROM']);

const INTEGER: AnalyzedType = { storage: ['integer'], nullable: false };
const NUMBER: AnalyzedType = { storage: ['integer', 'real'], nullable: false };
const TEXT: AnalyzedType = { storage: ['text'], nullable: false };
const NULL: AnalyzedType = { storage: [], nullable: true };

/**
 * The expression typing stage: the type of an expression in a scope, noting every parameter it meets
 * with its context.
 *
 * 1. A column reference takes its source's column type (nullable on the optional side of a join).
 * 2. Literals, operators, `CASE`, `CAST` and scalar subqueries follow SQLite's rules; function calls
 *    are typed in one place, {@link functionCallType}.
 * 3. Anything not understood is `any` and nullable, never the reverse.
 *
 * @example
 * ```ts
 * const t = new ExpressionTyper(params, selects).type(whereExpr, scope);
 * ```
 */
export class ExpressionTyper {
  readonly #params: ParameterUses;
  readonly #selects: SelectTyper;

  constructor(params: ParameterUses, selects: SelectTyper) {
    this.#params = params;
    this.#selects = selects;
  }

  /** Visits a part of a statement no stage types, for the parameters and subqueries inside it. */
  visit(n: Node, scope: Scope): void {
    if (isSubSelect(n) && n.type !== 'paren_expr') {
      this.#selects.select(n, scope);
      return;
    }
    switch (n.type) {
      case 'parameter':
        this.#params.note(n);
        return;
      case 'binary_expr':
      case 'func_call':
      case 'case_expr':
      case 'between_expr':
      case 'cast_expr':
      case 'prefix_op_expr':
      case 'postfix_op_expr':
        this.type(n, scope);
        return;
      default:
        for (const child of childNodes(n)) this.visit(child, scope);
    }
  }

  /**
   * The type of an expression in a place that demands `hint` (a column it is written to, a value it is
   * compared with): every parameter the expression yields unchanged ({@link valueParameters}: itself,
   * a `CASE` result, a `coalesce` argument, …) takes `hint` in `context`.
   */
  typeAs(
    e: Node,
    scope: Scope,
    context: ParamContext,
    hint: AnalyzedType,
    flags: { readonly testsNull?: boolean } = {},
  ): AnalyzedType {
    const t = this.type(e, scope);
    for (const p of valueParameters(e)) this.#params.note(p, context, hint, flags);
    return t;
  }

  /** The type of an expression. */
  type(e: Node, scope: Scope): AnalyzedType {
    switch (e.type) {
      case 'identifier':
        return scope.column(undefined, e.name);
      case 'member_expr': {
        if (e.property.type !== 'identifier') return ANY_VALUE;
        const object = e.object;
        const qualifier =
          object.type === 'member_expr'
            ? object.property.type === 'identifier'
              ? object.property.name
              : undefined
            : object.type === 'identifier'
              ? object.name
              : undefined;
        return qualifier === undefined ? ANY_VALUE : scope.column(qualifier, e.property.name);
      }
      case 'number_literal':
        return /^[0-9]+$|^0x/i.test(e.text) ? INTEGER : { storage: ['real'], nullable: false };
      case 'string_literal':
        return TEXT;
      case 'blob_literal':
        return { storage: ['blob'], nullable: false };
      case 'boolean_literal':
        return INTEGER;
      case 'null_literal':
        return NULL;
      case 'parameter':
        this.#params.note(e);
        return ANY_VALUE;
      case 'paren_expr': {
        const inner = e.expr;
        if (isSubSelect(inner)) {
          const first = this.#selects.select(inner, scope)?.[0];
          if (first === undefined) return ANY_VALUE;
          // An aggregate without GROUP BY (or LIMIT) yields exactly one row, so only its own null counts.
          return singleRowAggregate(inner) ? first : { ...first, nullable: true };
        }
        if (inner.type === 'list_expr') {
          for (const item of inner.items) this.type(item, scope);
          return ANY_VALUE;
        }
        return this.type(inner, scope);
      }
      case 'binary_expr':
        return this.#binary(e, scope);
      case 'prefix_op_expr': {
        const op = operatorText(e.operator);
        if (op === 'EXISTS' || op === 'NOT EXISTS') {
          this.visit(e.expr, scope);
          return INTEGER;
        }
        if (e.expr.type === 'parameter' && (op === '-' || op === '+' || op === '~')) {
          this.#params.note(e.expr, { kind: 'operand', column: undefined }, op === '~' ? INTEGER : NUMBER);
        }
        const t = this.type(e.expr, scope);
        if (op === 'NOT' || op === '~') return { ...INTEGER, nullable: t.nullable };
        if (op === '-' || op === '+') return isNumeric(t) ? t : ANY_VALUE;
        return ANY_VALUE;
      }
      case 'postfix_op_expr': {
        if (e.expr.type === 'parameter')
          this.#params.note(e.expr, { kind: 'null-test' }, undefined, { testsNull: true });
        const t = this.type(e.expr, scope);
        const op = operatorText(e.operator);
        if (op === 'ISNULL' || op === 'NOTNULL' || op === 'NOT NULL') return INTEGER;
        return { ...ANY_VALUE, nullable: t.nullable || true };
      }
      case 'between_expr': {
        const left = this.type(e.left, scope);
        const column =
          e.left.type === 'identifier' || e.left.type === 'member_expr' ? firstColumnRef(e.left) : undefined;
        let nullable = left.nullable;
        const bounds: AnalyzedType[] = [];
        for (const [bound, p] of [
          ['from', e.begin],
          ['to', e.end],
        ] as const) {
          const t = this.typeAs(p, scope, { kind: 'between', bound, column }, { ...left, nullable: false });
          if (p.type === 'parameter') continue;
          bounds.push(t);
          nullable = t.nullable || nullable;
        }
        // `@p BETWEEN lo AND hi`: the parameter is compared with both bounds (sqlc names a `?` there
        // after no column).
        const both = bounds.reduce<AnalyzedType | undefined>(
          (a, t) => (a === undefined ? t : unionType(a, t)),
          undefined,
        );
        if (both !== undefined) {
          for (const p of valueParameters(e.left))
            this.#params.note(p, { kind: 'compared', column: undefined }, { ...both, nullable: false });
        }
        return { ...INTEGER, nullable };
      }
      case 'case_expr':
        return this.#case(e, scope);
      case 'cast_expr': {
        const arg = e.args.expr;
        const inner = this.type(arg.expr, scope);
        const declared = dataTypeText(arg.dataType);
        let storage = storageOfDeclared(declared);
        if (storage === 'any' && /NUMERIC|DECIMAL|BOOLEAN|DATE/i.test(declared)) storage = NUMBER.storage;
        // `CAST(@p AS INTEGER)` is how a query types a parameter that meets no column: SQLite would
        // convert a value of any class, but the cast says what the query means, so the parameter takes
        // the cast's type (admitting NULL, which the cast keeps).
        if (arg.expr.type === 'parameter') {
          this.#params.note(
            arg.expr,
            { kind: 'cast' },
            storage === 'any' ? undefined : { storage, nullable: true },
          );
        }
        return { storage, nullable: inner.nullable };
      }
      case 'func_call':
        return this.#call(e, scope);
      default:
        this.visit(e, scope);
        return ANY_VALUE;
    }
  }

  #binary(e: Extract<Node, { type: 'binary_expr' }>, scope: Scope): AnalyzedType {
    const op = operatorText(e.operator);
    const { left, right } = e;
    const column = firstColumnRef(left) ?? firstColumnRef(right);
    // `x COLLATE name` is `x`, compared another way; `name` is no column.
    if (op === 'COLLATE') return this.type(left, scope);
    if (op === 'IN' || op === 'NOT IN') {
      const lt = this.type(left, scope);
      const array = jsonEachParam(right);
      if (array !== undefined) {
        this.#params.note(
          array,
          { kind: 'json-array', function: 'json_each' },
          { ...lt, nullable: false },
          { array: true },
        );
        this.visit(right, scope);
        return { ...INTEGER, nullable: lt.nullable };
      }
      const items = listItems(right);
      let rt: AnalyzedType | undefined;
      if (items !== undefined) {
        for (const item of items) {
          const t = this.typeAs(item, scope, { kind: 'in-list', column }, { ...lt, nullable: false });
          if (item.type !== 'parameter') rt = rt === undefined ? t : unionType(rt, t);
        }
      } else {
        rt = this.type(right, scope);
      }
      // `@p IN (a, b)`, `@p IN (SELECT …)`: the parameter is compared with the list's values.
      if (rt !== undefined) {
        for (const p of valueParameters(left))
          this.#params.note(p, { kind: 'compared', column }, { ...rt, nullable: false });
      }
      return { ...INTEGER, nullable: true };
    }
    const nullTest = NULL_TESTS.has(op);
    if (COMPARISONS.has(op) || nullTest) {
      // `name = ? COLLATE NOCASE` still compares the parameter with the column.
      const left = withoutCollate(e.left);
      const right = withoutCollate(e.right);
      const lt = this.type(left, scope);
      const rt = this.type(right, scope);
      const flags = { testsNull: nullTest };
      // `@p IS NULL` only tests the parameter; `col IS @p` compares it with the column.
      const context = (other: Node): ParamContext =>
        nullTest && other.type === 'null_literal' ? { kind: 'null-test' } : { kind: 'compared', column };
      // A pattern or a full-text query is text, whatever it is matched against (an enum column too).
      const hint = (other: AnalyzedType): AnalyzedType =>
        TEXT_MATCHES.has(op) ? TEXT : { ...other, nullable: nullTest || other.storage === 'any' };
      // The parameters each side yields unchanged (itself, a CASE result, …) are compared with the other.
      for (const p of valueParameters(left)) this.#params.note(p, context(right), hint(rt), flags);
      for (const p of valueParameters(right)) this.#params.note(p, context(left), hint(lt), flags);
      return { ...INTEGER, nullable: nullTest ? false : lt.nullable || rt.nullable };
    }
    // `qty + @amount`: the parameter is an operand of the kind the operator works on, and a NULL
    // would only turn the result into NULL. `@json ->> @path`: JSON text, and a path or an index.
    const operands = operandTypes(op);
    const side = (n: Node, operand: AnalyzedType | undefined): AnalyzedType => {
      if (n.type !== 'parameter') return this.type(n, scope);
      this.#params.note(n, operand === undefined ? { kind: 'other' } : { kind: 'operand', column }, operand);
      return ANY_VALUE;
    };
    const lt = side(left, operands?.[0]);
    const rt = side(right, operands?.[1]);
    const nullable = lt.nullable || rt.nullable;
    const integers = integerOnly(lt) && integerOnly(rt);
    switch (op) {
      case '||':
        return { ...TEXT, nullable };
      case '->':
        return { ...TEXT, nullable: true };
      // `->>` is `json_extract` with one path: an SQL value, never a blob (the function table's entry).
      case '->>':
        return { storage: ['integer', 'real', 'text'], nullable: true };
      case '+':
      case '-':
      case '*':
        return { storage: integers ? INTEGER.storage : NUMBER.storage, nullable };
      case '/':
      case '%':
        // Division by zero is NULL in SQLite.
        return { storage: integers ? INTEGER.storage : NUMBER.storage, nullable: true };
      case '&':
      case '|':
      case '<<':
      case '>>':
      case 'AND':
      case 'OR':
        return { ...INTEGER, nullable };
      default:
        return { ...NUMBER, nullable: true };
    }
  }

  #case(e: CaseExpr, scope: Scope): AnalyzedType {
    const operand = e.expr === undefined ? undefined : this.type(e.expr, scope);
    const column = e.expr === undefined ? undefined : firstColumnRef(e.expr);
    let result: AnalyzedType | undefined;
    let hasElse = false;
    for (const clause of e.clauses) {
      // `CASE x WHEN @p THEN …` compares the parameter with `x`.
      if (clause.type === 'case_when' && operand !== undefined)
        this.typeAs(clause.condition, scope, { kind: 'compared', column }, { ...operand, nullable: false });
      else if (clause.type === 'case_when') this.type(clause.condition, scope);
      else hasElse = true;
      const t = this.type(clause.result, scope);
      result = result === undefined ? t : unionType(result, t);
    }
    if (result === undefined) return ANY_VALUE;
    if (result.storage !== 'any' && result.storage.length === 0) return { ...ANY_VALUE, nullable: true };
    return { ...result, nullable: result.nullable || !hasElse };
  }

  #call(e: FuncCall, scope: Scope): AnalyzedType {
    const fn = functionName(e);
    const argNodes = functionArgs(e);
    const args: AnalyzedType[] = [];
    for (const a of argNodes) {
      if (a.type === 'all_columns') continue;
      args.push(this.type(a, scope));
    }
    if (e.filter !== undefined) this.visit(e.filter, scope);
    if (e.over !== undefined) this.visit(e.over, scope);
    // `coalesce(@p, col)`: the parameter may be NULL and is otherwise of the other arguments' type;
    // `nullif(@p, col)` compares the two (a NULL passes through). Elsewhere the function says what
    // it is defined on.
    const nullTolerant = fn === 'coalesce' || fn === 'ifnull';
    const known = args.filter((a) => a.storage !== 'any' && a.storage.length > 0);
    const other = known[0];
    argNodes.forEach((a, i) => {
      if (a.type !== 'parameter') return;
      const domain = functionArgumentType(fn, i);
      const hint =
        nullTolerant && other !== undefined
          ? { ...other, nullable: true }
          : fn === 'nullif' && other !== undefined && argNodes.length === 2
            ? { ...other, nullable: true }
            : domain === undefined
              ? undefined
              : { storage: domain, nullable: false };
      this.#params.note(a, { kind: 'argument', function: fn }, hint, { testsNull: nullTolerant });
    });
    return functionCallType(fn, args, {
      distinct: e.args?.expr.distinctKw !== undefined,
      star: argNodes.some((a) => a.type === 'all_columns'),
      window: e.over !== undefined,
      currentRowFrame:
        e.over?.window.type === 'paren_expr' &&
        e.over.window.expr.frame === undefined &&
        e.over.window.expr.baseWindowName === undefined,
      literals: argNodes.every((a) => a.type === 'string_literal' || a.type === 'number_literal')
        ? argNodes.map((a) => (a.type === 'string_literal' || a.type === 'number_literal' ? a.text : ''))
        : undefined,
    });
  }
}

/** What the operands of a non-comparison binary operator are, if it says: `[left, right]`. */
function operandTypes(op: string): readonly [AnalyzedType, AnalyzedType] | undefined {
  if (op === '||') return [TEXT, TEXT];
  if (['+', '-', '*', '/', '%'].includes(op)) return [NUMBER, NUMBER];
  if (['&', '|', '<<', '>>'].includes(op)) return [INTEGER, INTEGER];
  if (op === '->' || op === '->>') return [TEXT, { storage: ['integer', 'text'], nullable: false }];
  return undefined;
}

function integerOnly(t: AnalyzedType): boolean {
  return t.storage !== 'any' && t.storage.length > 0 && t.storage.every((s) => s === 'integer');
}

function dataTypeText(t: DataType): string {
  switch (t.type) {
    case 'data_type_name':
      return Array.isArray(t.name) ? t.name.map((k) => k.name).join(' ') : t.name.name;
    case 'modified_data_type':
      return dataTypeText(t.dataType);
    default:
      return '';
  }
}

/** `(SELECT value FROM json_each(@p))` → the `@p` node. */
function jsonEachParam(right: Node) {
  if (right.type !== 'paren_expr' || right.expr.type !== 'select_stmt') return undefined;
  const from = right.expr.clauses.find((c) => c.type === 'from_clause');
  if (from === undefined) return undefined;
  const call = from.expr.type === 'alias' ? from.expr.expr : from.expr;
  if (call.type !== 'func_call' || functionName(call) !== 'json_each') return undefined;
  const args = functionArgs(call);
  const arg = args[0];
  return args.length === 1 && arg?.type === 'parameter' ? arg : undefined;
}

/**
 * Whether a call is an aggregate (not over a window), as SQLite's function table says for its name
 * and argument count: `max(x)` is, `max(a, b)` is not; `json_group_array(x)` is.
 *
 * @example
 * ```ts
 * isAggregateCall(call); // true for count(*)
 * ```
 */
export function isAggregateCall(n: Node): boolean {
  if (n.type !== 'func_call' || n.over !== undefined) return false;
  const args = functionArgs(n);
  // count(*): the star is the call's one "argument" here, and the table's form without arguments.
  const count = args.length === 1 && args[0]?.type === 'all_columns' ? 0 : args.length;
  return isAggregateForm(functionName(n), count, { distinct: n.args?.expr.distinctKw !== undefined });
}

/** `SELECT count(*) FROM …` without GROUP BY, HAVING, LIMIT or a compound: always exactly one row. */
function singleRowAggregate(sub: SubSelect): boolean {
  const select = unparen(sub);
  if (select.type !== 'select_stmt') return false;
  const { clauses } = select;
  if (
    clauses.some(
      (c) => c.type === 'group_by_clause' || c.type === 'limit_clause' || c.type === 'having_clause',
    )
  ) {
    return false;
  }
  const items = clauses.find((c) => c.type === 'select_clause')?.columns?.items ?? [];
  const only = items[0];
  if (items.length !== 1 || only === undefined) return false;
  const first = unalias(only);
  if (first.type !== 'func_call' || !isAggregateCall(first)) return false;
  return functionName(first) === 'count' || functionArgs(first).length <= 1;
}

/** The operand of `x COLLATE name`, which only changes how `x` is compared; any other node itself. */
function withoutCollate(node: Node): Node {
  return node.type === 'binary_expr' && operatorText(node.operator) === 'COLLATE' ? node.left : node;
}
