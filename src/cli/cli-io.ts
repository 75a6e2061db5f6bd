/**
 * Where a command writes: stdout for results (tables, JSON), stderr for progress and errors.
 *
 * @example
 * ```ts
 * const io: CliIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), errIsTty: false };
 * ```
 */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether stderr is a terminal (live progress rewrites one line only there). */
  readonly errIsTty: boolean;
  /** Resolves once stdout has room again; a command streaming much output awaits it between writes. */
  readonly drained?: () => Promise<void>;
}
