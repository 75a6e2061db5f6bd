import type { SandboxHandle } from '../host/records.js';

/**
 * The flat, JSON-ready view of a sandbox that `msb ls --json` prints and the table is drawn from.
 *
 * @example
 * ```ts
 * const rows: HandleSummary[] = listSandboxes(pools.read).map(summarizeHandle);
 * ```
 */
export interface HandleSummary {
  readonly name: string;
  readonly status: string;
  readonly pid: number | null;
  /** From the newest sample while the runtime is alive, else null. */
  readonly cpuPercent: number | null;
  readonly memoryBytes: number | null;
  readonly uptimeMs: number | null;
  readonly exitCode: number | null;
  readonly exitSignal: string | null;
  readonly terminationReason: string | null;
  readonly image: string | null;
  readonly command: string;
}

/**
 * Flattens a {@link SandboxHandle}; metrics are shown only for a live runtime (an old sample of a
 * stopped sandbox would read as current load).
 *
 * @example
 * ```ts
 * summarizeHandle(await getSandbox(pools, 'web')).status; // 'Running'
 * ```
 */
export function summarizeHandle(handle: SandboxHandle): HandleSummary {
  const { record, run, pid, metric } = handle;
  const live = pid !== null;
  const ended = run !== undefined && run.status === 'Terminated';
  return {
    name: record.name,
    status: record.status,
    pid,
    cpuPercent: live && metric !== undefined ? metric.cpuPercent : null,
    memoryBytes: live && metric !== undefined ? metric.memoryBytes : null,
    uptimeMs: handle.uptimeMs,
    exitCode: ended ? run.exitCode : null,
    exitSignal: ended ? run.exitSignal : null,
    terminationReason: ended ? run.terminationReason : null,
    image: record.config.image?.reference ?? null,
    command: [record.config.command, ...record.config.args].join(' '),
  };
}
