/**
 * `sandbox_id` → `sandboxId`, `LoadActiveRun` → `loadActiveRun`.
 *
 * @example
 * ```ts
 * camelCase('sandbox_id'); // 'sandboxId'
 * ```
 */
export function camelCase(name: string): string {
  const pascal = pascalCase(name);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
}

/**
 * `sandbox_id` → `SandboxId`, `loadActiveRun` → `LoadActiveRun`.
 *
 * @example
 * ```ts
 * pascalCase('load_active_run'); // 'LoadActiveRun'
 * ```
 */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * `LoadActiveRun` → `LOAD_ACTIVE_RUN`, the name of a hoisted SQL constant.
 *
 * @example
 * ```ts
 * constantCase('LoadActiveRun'); // 'LOAD_ACTIVE_RUN'
 * ```
 */
export function constantCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/**
 * Whether `name` is a plain identifier, so it can be a property name without quotes.
 *
 * @example
 * ```ts
 * isIdentifier('sandboxId'); // true
 * ```
 */
export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
}

/**
 * `LoadActiveRun` → `load_active_run`, `sandboxId` → `sandbox_id`.
 *
 * @example
 * ```ts
 * snakeCase('LoadActiveRun'); // 'load_active_run'
 * ```
 */
export function snakeCase(name: string): string {
  return constantCase(name)
    .toLowerCase()
    .replace(/^_+|_+$/g, '');
}

/**
 * How the `naming` option of `sqlc.yaml` spells row fields and parameters: the values of sqlc's
 * `json_tags_case_style` (`none` keeps the SQL name as written).
 *
 * @example
 * ```ts
 * const style: FieldNaming = 'snake';
 * ```
 */
export type FieldNaming = 'camel' | 'pascal' | 'snake' | 'none';

/**
 * How the `naming` option of `sqlc.yaml` spells generated functions (types stay PascalCase).
 *
 * @example
 * ```ts
 * const style: FunctionNaming = 'snake';
 * ```
 */
export type FunctionNaming = 'camel' | 'snake';

/**
 * Every {@link FieldNaming}, in the order error messages list them.
 *
 * @example
 * ```ts
 * FIELD_NAMINGS.includes('snake'); // true
 * ```
 */
export const FIELD_NAMINGS: readonly FieldNaming[] = ['camel', 'pascal', 'snake', 'none'];

/**
 * Every {@link FunctionNaming}, in the order error messages list them.
 *
 * @example
 * ```ts
 * FUNCTION_NAMINGS.includes('camel'); // true
 * ```
 */
export const FUNCTION_NAMINGS: readonly FunctionNaming[] = ['camel', 'snake'];

/**
 * The field or parameter name of a SQL name under a {@link FieldNaming}.
 *
 * @example
 * ```ts
 * fieldNameOf('sandbox_id', 'camel'); // 'sandboxId'
 * fieldNameOf('sandbox_id', 'none'); // 'sandbox_id'
 * ```
 */
export function fieldNameOf(sqlName: string, style: FieldNaming): string {
  switch (style) {
    case 'camel':
      return camelCase(sqlName);
    case 'pascal':
      return pascalCase(sqlName);
    case 'snake':
      return snakeCase(sqlName);
    case 'none':
      return sqlName;
  }
}

/**
 * The function name of a (PascalCase) query name under a {@link FunctionNaming}.
 *
 * @example
 * ```ts
 * functionNameOf('LoadActiveRun', 'snake'); // 'load_active_run'
 * ```
 */
export function functionNameOf(queryName: string, style: FunctionNaming): string {
  return style === 'snake' ? snakeCase(queryName) : camelCase(queryName);
}
