import { HostError } from './host-error.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/**
 * Refuses a sandbox or volume name that could not safely be a directory name (it becomes
 * `<home>/sandboxes/<name>` or `<home>/volumes/<name>`), with `HostError` `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * assertValidName('sandbox', 'web-1'); // ok
 * assertValidName('volume', '../etc'); // throws INVALID_ARGUMENT
 * ```
 */
export function assertValidName(kind: 'sandbox' | 'volume', name: string): void {
  if (!NAME.test(name)) {
    throw new HostError(
      'INVALID_ARGUMENT',
      `${kind} name "${name}" is invalid: use 1 to 63 letters, digits, "_", "." or "-", starting with a letter or digit`,
    );
  }
}
