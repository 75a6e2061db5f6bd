/**
 * A bad `$MSB_HOME/config.json`: unreadable, not JSON, or a `database` key that is unknown or has a bad
 * value. The message names the file and the key; the file is never modified.
 *
 * @example
 * ```ts
 * try {
 *   loadDbConfig(home);
 * } catch (err) {
 *   if (err instanceof DbConfigError) console.error(`${err.file}: ${err.key ?? '(file)'}: ${err.message}`);
 * }
 * ```
 */
export class DbConfigError extends Error {
  override readonly name = 'DbConfigError';
  readonly code = 'DB_CONFIG_INVALID';
  readonly file: string;
  /** The dotted key at fault (`database.max_connections`), or undefined when the whole file is bad. */
  readonly key: string | undefined;

  constructor(file: string, key: string | undefined, message: string, options?: ErrorOptions) {
    super(`${file}: ${key === undefined ? '' : `${key}: `}${message}`, options);
    this.file = file;
    this.key = key;
  }
}
