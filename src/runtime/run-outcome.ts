/** How a run ended, as stored in its `run` row. */
export interface RunOutcome {
  readonly reason: 'Completed' | 'Failed' | 'Signal' | 'InternalError';
  readonly exitCode: number | null;
  readonly exitSignal: string | null;
  readonly detail: string | null;
}

/**
 * Classifies a workload's exit: 0 → Completed, another code → Failed, a signal → Signal. `stopReason`
 * goes into the detail so an operator can tell a stop from a crash.
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
