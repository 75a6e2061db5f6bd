/**
 * How long a stop waits between SIGTERM and SIGKILL by default: 15 s, longer than the runtime's own
 * 10 s grace for its workload (`--stop-grace-ms`), so a runtime that has to SIGKILL a stubborn
 * workload still records the run itself before the host steps in.
 *
 * @example
 * ```ts
 * await stopSandbox(pools, { name, timeoutMs: DEFAULT_STOP_TIMEOUT_MS });
 * ```
 */
export const DEFAULT_STOP_TIMEOUT_MS = 15_000;
