import type { ArgSelector, FunctionForm, NullRule, StorageRule } from './sqlite-functions.js';
import { SQLITE_FUNCTIONS } from './sqlite-functions.js';
import type { StorageClass, ValueType } from './value-type.js';

const FORMS: ReadonlyMap<string, readonly FunctionForm[]> = new Map(
  SQLITE_FUNCTIONS.map((f) => [f.name, f.forms]),
);

/**
 * The type of a call to a SQLite built-in function, from the types of its arguments.
 *
 * 1. The name is matched case-insensitively against the table in `sqlite-functions.ts`.
 * 2. The form is chosen by how it is called: `window` (OVER) takes aggregate and window functions,
 *    otherwise scalar and aggregate ones; `distinct` is refused with OVER and by an aggregate of other
 *    than one argument (SQLite ignores it in a scalar call);
 *    `star` (`count(*)`) is a call without arguments.
 * 3. The result's storage classes are the union of the form's rules over the argument types; it is
 *    nullable when any of its NULL rules applies (an aggregate over an empty group always can be NULL).
 *
 * Returns `undefined` for a function the table does not hold or a call SQLite would refuse.
 *
 * @example
 * ```ts
 * functionResultType('ABS', [{ storage: ['integer'], nullable: false }], { distinct: false, star: false, window: false });
 * // { storage: ['integer'], nullable: false }
 * ```
 */
export function functionResultType(
  name: string,
  args: readonly ValueType[],
  call: { distinct: boolean; star: boolean; window: boolean },
): ValueType | undefined {
  if (call.star && args.length > 0) return undefined;
  const form = formOf(name, args.length, call);
  if (form === undefined) return undefined;
  const byClassNull = form.result.some(
    (r) => r.kind === 'by-class' && classesOf(args[r.arg]).some((c) => r.map[c].nullable),
  );
  return {
    storage: storageOf(form.result, args),
    nullable: byClassNull || form.nulls.some((r) => nullable(r, args)),
  };
}

/**
 * Whether a call (not over a window) is an aggregate: the form SQLite picks for its name and argument
 * count is one. `max(x)` is, `max(a, b)` is the scalar maximum; a function the table does not hold is not.
 *
 * @example
 * ```ts
 * isAggregateForm('max', 1, { distinct: false }); // true
 * isAggregateForm('max', 2, { distinct: false }); // false
 * ```
 */
export function isAggregateForm(name: string, argCount: number, call: { distinct: boolean }): boolean {
  const form = formOf(name, argCount, { ...call, window: false });
  return form?.kind === 'aggregate' || form?.kind === 'aggregate-no-window';
}

/** The form SQLite picks for a call of `name` with `count` arguments, if the table holds one. */
function formOf(
  name: string,
  count: number,
  call: { distinct: boolean; window: boolean },
): FunctionForm | undefined {
  return FORMS.get(name.toLowerCase())?.find((f) => accepts(f, count, call));
}

function accepts(form: FunctionForm, count: number, call: { distinct: boolean; window: boolean }): boolean {
  if (count < form.min || count > form.max) return false;
  // SQLite ignores DISTINCT in a scalar call, but an aggregate takes it with exactly one argument.
  const aggregate = form.kind === 'aggregate' || form.kind === 'aggregate-no-window';
  if (call.distinct && (call.window || (aggregate && count !== 1))) return false;
  if (call.window) return form.kind === 'aggregate' || form.kind === 'window';
  return form.kind !== 'window';
}

function selected(selector: ArgSelector, count: number): number[] {
  if ('at' in selector) return [...selector.at];
  const from = 'from' in selector ? selector.from : 1;
  const step = 'from' in selector ? 1 : 2;
  const picked: number[] = [];
  for (let i = from; i < count; i += step) picked.push(i);
  // The trailing ELSE of a CASE-like call with an odd count sits at an even position.
  if ('caseValues' in selector && count % 2 === 1) picked.push(count - 1);
  return picked;
}

function storageOf(rules: readonly StorageRule[], args: readonly ValueType[]): ValueType['storage'] {
  const classes = new Set<StorageClass>();
  for (const rule of rules) {
    if (rule.kind === 'any') return 'any';
    if (rule.kind === 'fixed') for (const c of rule.storage) classes.add(c);
    else if (rule.kind === 'args') {
      for (const i of selected(rule.args, args.length)) {
        const s = args[i]?.storage ?? [];
        if (s === 'any') return 'any';
        for (const c of s) classes.add(c);
      }
    } else {
      for (const c of classesOf(args[rule.arg])) for (const r of rule.map[c].storage) classes.add(r);
    }
  }
  return [...classes];
}

function classesOf(arg: ValueType | undefined): readonly StorageClass[] {
  if (arg === undefined) return [];
  return arg.storage === 'any' ? ['integer', 'real', 'text', 'blob'] : arg.storage;
}

function nullable(rule: NullRule, args: readonly ValueType[]): boolean {
  switch (rule.kind) {
    case 'any-null':
      return selected(rule.args, args.length).some((i) => args[i]?.nullable ?? true);
    case 'all-null':
      return selected(rule.args, args.length).every((i) => args[i]?.nullable ?? true);
    case 'no-else':
      return args.length % 2 === 0;
    case 'empty':
    case 'other':
      return true;
  }
}
