import type { Node, Parameter } from 'sql-parser-cst';
import { passedThrough } from './function-call-type.js';
import { functionArgs, functionName, isSubSelect, operatorText } from './syntax-tree.js';

/**
 * The parameters an expression can yield as its value unchanged, so a parameter there is of whatever
 * type the expression's place demands (`SET attempt = CASE WHEN … THEN @attempt ELSE attempt END`).
 *
 * 1. The expression itself when it is a parameter, through parentheses and `x COLLATE name`.
 * 2. Every `THEN` and `ELSE` result of a `CASE`.
 * 3. The arguments a function returns as they are: every one of `coalesce`, `ifnull`, `max`, `min`,
 *    the first of `nullif` and `likely`, the values and ELSE of `iif` (see {@link passedThrough}).
 * 4. Nested, in any order of the above; nothing inside a subquery.
 *
 * @example
 * ```ts
 * valueParameters(parse('coalesce(@a, CASE WHEN x THEN @b ELSE y END)')); // [@a, @b]
 * ```
 */
export function valueParameters(e: Node): Parameter[] {
  switch (e.type) {
    case 'parameter':
      return [e];
    case 'paren_expr':
      return isSubSelect(e.expr) ? [] : valueParameters(e.expr);
    case 'binary_expr':
      return operatorText(e.operator) === 'COLLATE' ? valueParameters(e.left) : [];
    case 'case_expr':
      return e.clauses.flatMap((c) => valueParameters(c.result));
    case 'func_call': {
      const args = functionArgs(e);
      return passedThrough(functionName(e), args.length).flatMap((i) => {
        const arg = args[i];
        return arg === undefined ? [] : valueParameters(arg);
      });
    }
    default:
      return [];
  }
}
