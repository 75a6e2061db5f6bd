import { type Diagnostic, formatDiagnostic } from './diagnostic.js';

/**
 * Machine-readable reason of a {@link CodegenError}.
 *
 * @example
 * ```ts
 * if (err instanceof CodegenError && err.code === 'CODEGEN_INVALID_QUERIES') process.exitCode = 1;
 * ```
 */
export type CodegenErrorCode =
  | 'CODEGEN_INVALID_QUERIES'
  | 'CODEGEN_CONFIG'
  | 'CODEGEN_SCHEMA'
  | 'CODEGEN_DRIFT'
  /** A generated module does not parse: a bug in the generator, reported instead of writing it. */
  | 'CODEGEN_UNPARSABLE_OUTPUT';

/**
 * The generator's one error class. It carries every diagnostic of the run, so one run reports every
 * broken query, not just the first.
 *
 * @example
 * ```ts
 * try {
 *   generate(config);
 * } catch (err) {
 *   if (err instanceof CodegenError) console.error(err.message); // one `path:line:col: message` per line
 * }
 * ```
 */
export class CodegenError extends Error {
  readonly code: CodegenErrorCode;
  readonly diagnostics: readonly Diagnostic[];

  constructor(code: CodegenErrorCode, diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'CodegenError';
    this.code = code;
    this.diagnostics = diagnostics;
  }
}
