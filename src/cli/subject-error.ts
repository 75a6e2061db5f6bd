import { UsageError } from './usage-error.js';

/** What a command acts on, as its messages name it. */
export type SubjectKind = 'sandbox' | 'image' | 'volume';

/**
 * An error that ended a command's work on one named sandbox, image or volume. `cause` is that error,
 * unchanged (a `SqliteError` keeps its class, code and stack); `msb` prints it naming the subject when
 * its message does not already.
 *
 * @example
 * ```ts
 * throw new SubjectError('sandbox', 'web', err);
 * ```
 */
export class SubjectError extends Error {
  override readonly name = 'SubjectError';
  readonly kind: SubjectKind;
  readonly subject: string;

  constructor(kind: SubjectKind, subject: string, cause: unknown) {
    super(`${kind} "${subject}": ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.kind = kind;
    this.subject = subject;
  }
}

/**
 * Runs a command's work on one named subject; what it throws is rethrown as a {@link SubjectError},
 * except a {@link UsageError}, which is about the whole command line.
 *
 * @example
 * ```ts
 * const image = await onSubject('image', reference, () => inspectImage(pools.read, reference));
 * ```
 */
export async function onSubject<T>(kind: SubjectKind, subject: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UsageError || err instanceof SubjectError) throw err;
    throw new SubjectError(kind, subject, err);
  }
}
