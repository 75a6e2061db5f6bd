/**
 * How a run ended, as stored in the `run` row: the termination reason, the exit data and a detail for
 * humans.
 *
 * @example
 * ```ts
 * const outcome: RunOutcome = {
 *   reason: 'Signal', exitCode: null, exitSignal: 'SIGTERM', detail: 'workload killed by SIGTERM',
 * };
 * ```
 */
export interface RunOutcome {
  readonly reason: 'Completed' | 'Failed' | 'Signal' | 'InternalError';
  readonly exitCode: number | null;
  readonly exitSignal: string | null;
  readonly detail: string | null;
}

/**
 * Classifies a workload's exit as Node's `exit` event reports it: exit 0 → Completed, another code →
 * Failed, death by a signal → Signal (with the signal name). `stopReason` (the signal the runtime was
 * told to stop by, if any) goes into the detail, so an operator can tell a stop from a crash.
 *
 * @example
 * ```ts
 * workloadOutcome(null, 'SIGTERM', 'SIGTERM').reason; // 'Signal'
 * workloadOutcome(3, null, null); // { reason: 'Failed', exitCode: 3, exitSignal: null, detail: 'workload exited with code 3' }
 * ```
 */
export function workloadOutcome(
  code: number | null,
  signal: NodeJS.Signals | null,
  stopReason: NodeJS.Signals | null,
): RunOutcome {
  const stop = stopReason === null ? '' : ` after the runtime was stopped by ${stopReason}`;
  if (signal !== null) {
    return {
      reason: 'Signal',
      exitCode: null,
      exitSignal: signal,
      detail: `workload killed by ${signal}${stop}`,
    };
  }
  const exitCode = code ?? -1;
  return exitCode === 0
    ? {
        reason: 'Completed',
        exitCode,
        exitSignal: null,
        detail: stop === '' ? null : `workload exited 0${stop}`,
      }
    : {
        reason: 'Failed',
        exitCode,
        exitSignal: null,
        detail: `workload exited with code ${exitCode}${stop}`,
      };
}
