import type { SelectActiveRunRow } from '../generated/index.js';

/**
 * One `run` row: a runtime's supervision of a sandbox, from its start to its recorded end.
 *
 * @example
 * ```ts
 * const run: RunRecord | undefined = loadActiveRun(pools.read, record.id);
 * run?.pid; // the runtime's pid (its process group id)
 * ```
 */
export type RunRecord = SelectActiveRunRow;
