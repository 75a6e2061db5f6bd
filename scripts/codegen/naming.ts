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
