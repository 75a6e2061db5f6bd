/**
 * The generated module holding the row types queries share per table (`models.ts`, as sqlc calls
 * them); a query file cannot have this name.
 *
 * @example
 * ```ts
 * join(config.outDir, `${MODELS_MODULE}.ts`);
 * ```
 */
export const MODELS_MODULE = 'models';
