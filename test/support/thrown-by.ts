/**
 * What `fn` throws; fails the test when it returns normally. For tables of real errors whose fields are
 * asserted one by one (a `try/catch` in the test itself could pass when nothing is thrown).
 *
 * @example
 * ```ts
 * const err = thrownBy(() => db.exec('BEGIN IMMEDIATE'));
 * expect(err).toMatchObject({ code: 'SQLITE_BUSY' });
 * ```
 */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error(`expected ${fn.toString()} to throw; it returned normally`);
}
