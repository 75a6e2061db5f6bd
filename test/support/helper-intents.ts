import {
  type ArrowFunction,
  type CallExpression,
  type FunctionDeclaration,
  type FunctionExpression,
  Node,
  type Project,
  type SourceFile,
  type Type,
} from 'ts-morph';

/** A function a helper can be written as: a declaration, or an arrow or function expression in a `const`. */
type HelperFunction = FunctionDeclaration | ArrowFunction | FunctionExpression;

/** What a helper does to the database, through generated functions, directly or via other helpers. */
export type Effect = 'read' | 'write';

/**
 * One exported helper whose connection parameters do not match what it does.
 *
 * @example
 * ```ts
 * const v: IntentViolation = { helper: 'loadX', file: 'src/host/load-x.ts', line: 3, effects: ['read'], takes: ['DbPools'] };
 * ```
 */
export interface IntentViolation {
  readonly helper: string;
  readonly file: string;
  readonly line: number;
  readonly effects: readonly Effect[];
  readonly takes: readonly string[];
}

const CONNECTION_TYPES = new Set(['DbPools', 'DbReadConnection', 'DbWriteConnection', 'DbWriteTransaction']);

/**
 * One exported helper that reaches the database, with what it does and what it takes.
 *
 * @example
 * ```ts
 * const h: HelperIntent = { helper: 'loadX', file: 'src/host/load-x.ts', line: 3, effects: ['read'], takes: ['DbReadConnection'] };
 * ```
 */
export type HelperIntent = IntentViolation;

/**
 * Every exported function of the files under `hostDir` in `project` that reaches a generated function,
 * with its effects and the connection types its parameters accept.
 *
 * Its effects are the generated functions it reaches (directly, or through other functions of
 * `hostDir`): a `:write` function (one with a `DbWriteConnection` overload) is a write; a `:read`
 * function is a read, except when called with a transaction handle (`DbWriteTransaction`), where it is
 * part of a read-modify-write under the writer's lock and counts as a write.
 *
 * @example
 * ```ts
 * const intents = analyzeHelpers(project, '/repo/src/host');
 * ```
 */
export function analyzeHelpers(project: Project, hostDir: string): HelperIntent[] {
  const memo = new Map<HelperFunction, Set<Effect>>();
  const helpers: HelperIntent[] = [];
  for (const file of project.getSourceFiles()) {
    if (!file.getFilePath().startsWith(`${hostDir}/`)) continue;
    for (const { name, fn } of exportedFunctions(file)) {
      const effects = effectsOf(fn, hostDir, memo, new Set());
      if (effects.size === 0) continue;
      helpers.push({
        helper: name,
        file: file.getFilePath().slice(hostDir.length - 'src/host'.length),
        line: fn.getStartLineNumber(),
        effects: [...effects].sort(),
        takes: [...new Set(fn.getParameters().flatMap((p) => connectionTypes(p.getType())))].sort(),
      });
    }
  }
  return helpers;
}

function exportedFunctions(file: SourceFile): { name: string; fn: HelperFunction }[] {
  const found: { name: string; fn: HelperFunction }[] = [];
  for (const fn of file.getFunctions()) {
    if (fn.isExported() && !fn.isOverload()) found.push({ name: fn.getName() ?? '<default>', fn });
  }
  // `export const helper = (…) => …` is a helper too; its intent must not escape the check.
  for (const variable of file.getVariableDeclarations()) {
    if (!variable.isExported()) continue;
    const fn = functionOf(variable.getInitializer());
    if (fn !== undefined) found.push({ name: variable.getName(), fn });
  }
  return found.sort((a, b) => a.fn.getStart() - b.fn.getStart());
}

function functionOf(node: Node | undefined): HelperFunction | undefined {
  if (node === undefined) return undefined;
  if (Node.isArrowFunction(node) || Node.isFunctionExpression(node)) return node;
  // `(…) => …` wrapped in parentheses, `as` or `satisfies` is the same function.
  if (Node.isParenthesizedExpression(node) || Node.isAsExpression(node) || Node.isSatisfiesExpression(node)) {
    return functionOf(node.getExpression());
  }
  return undefined;
}

/**
 * The helpers of {@link analyzeHelpers} whose connection parameters do not match their effects: only
 * reads → `DbReadConnection` (optionally `| DbWriteTransaction`); only writes → `DbWriteConnection`
 * and/or `DbWriteTransaction`; both → `DbPools`.
 *
 * @example
 * ```ts
 * expect(checkHelperIntents(project, '/repo/src/host')).toEqual([]);
 * ```
 */
export function checkHelperIntents(project: Project, hostDir: string): IntentViolation[] {
  return analyzeHelpers(project, hostDir).filter((h) => !allowed(new Set(h.effects), h.takes));
}

function allowed(effects: Set<Effect>, takes: readonly string[]): boolean {
  const only = (...names: string[]) => takes.length > 0 && takes.every((t) => names.includes(t));
  if (effects.has('read') && effects.has('write')) return takes.length === 1 && takes[0] === 'DbPools';
  if (effects.has('read'))
    return only('DbReadConnection', 'DbWriteTransaction') && takes.includes('DbReadConnection');
  return only('DbWriteConnection', 'DbWriteTransaction');
}

function effectsOf(
  fn: HelperFunction,
  hostDir: string,
  memo: Map<HelperFunction, Set<Effect>>,
  visiting: Set<HelperFunction>,
): Set<Effect> {
  const known = memo.get(fn);
  if (known !== undefined) return known;
  const effects = new Set<Effect>();
  if (visiting.has(fn)) return effects;
  visiting.add(fn);
  for (const call of fn.getDescendants().filter(Node.isCallExpression)) {
    const target = calledFunction(call);
    if (target === undefined) continue;
    const path = target.getSourceFile().getFilePath();
    const inTransaction = call.getArguments().some((arg) => {
      const types = connectionTypes(arg.getType());
      return types.length === 1 && types[0] === 'DbWriteTransaction';
    });
    if (path.includes('/src/generated/')) {
      effects.add(isWriteFunction(target) || inTransaction ? 'write' : 'read');
    } else if (path.startsWith(`${hostDir}/`)) {
      for (const effect of effectsOf(target, hostDir, memo, visiting)) {
        effects.add(inTransaction ? 'write' : effect);
      }
    }
  }
  visiting.delete(fn);
  memo.set(fn, effects);
  return effects;
}

function calledFunction(call: CallExpression): HelperFunction | undefined {
  const symbol = call.getExpression().getSymbol();
  const target = symbol?.isAlias() ? symbol.getAliasedSymbol() : symbol;
  const declarations = target?.getDeclarations() ?? [];
  const functions = declarations.filter(Node.isFunctionDeclaration);
  const declared = functions.find((d) => !d.isOverload()) ?? functions[0];
  if (declared !== undefined) return declared;
  for (const declaration of declarations) {
    if (!Node.isVariableDeclaration(declaration)) continue;
    const fn = functionOf(declaration.getInitializer());
    if (fn !== undefined) return fn;
  }
  return undefined;
}

function isWriteFunction(fn: HelperFunction): boolean {
  const overloads = Node.isFunctionDeclaration(fn) ? fn.getOverloads() : [];
  return [fn, ...overloads].some((decl) =>
    decl.getParameters().some((p) => connectionTypes(p.getType()).includes('DbWriteConnection')),
  );
}

function connectionTypes(type: Type): string[] {
  const members = type.isUnion() ? type.getUnionTypes() : [type];
  return members.map((t) => t.getSymbol()?.getName() ?? '').filter((name) => CONNECTION_TYPES.has(name));
}
