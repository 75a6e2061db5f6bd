/**
 * A bad command line: an unknown command or option, a missing or malformed argument. `msb` prints the
 * message and the command's usage, and exits 2.
 *
 * @example
 * ```ts
 * throw new UsageError('create: missing <name>', 'create');
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
  /** The command whose usage to show, or undefined for the top-level usage. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}
