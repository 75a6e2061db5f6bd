/**
 * Proves a constructor call comes from inside `src/db`: the connection classes take it as their first
 * argument, and it is not exported from the package index, so nothing else can wrap an arbitrary handle.
 */
export const INTERNAL: unique symbol = Symbol('msb.db.internal');

export function assertInternal(token: unknown, what: string): void {
  if (token !== INTERNAL) throw new TypeError(`${what} cannot be constructed directly; use ${what}.open()`);
}

/** A callback returned a promise: that would hold a transaction open across an `await`. */
export function assertNotThenable(value: unknown, what: string): void {
  if (typeof (value as PromiseLike<unknown> | null)?.then === 'function') {
    // The body goes on after its first await and fails then (the handle is dead by that time). That
    // failure follows from the misuse reported here; left unhandled it would crash the process.
    (value as PromiseLike<unknown>).then(undefined, () => undefined);
    throw new TypeError(`${what} callback must be synchronous; it returned a promise`);
  }
}
