/**
 * The fixed settings of every storm, the same in all three modes.
 *
 * 1. `readyTimeoutMs`: how long a boot waits for its runtime's ready report (the host's default is
 *    30 s; a storm of 200 fresh Node processes on 2 shared cores can take longer than that to schedule,
 *    and a timeout would measure the machine, not the database).
 * 2. `stopTimeoutMs`: how long a stop waits for the exit to be recorded before SIGKILL.
 * 3. `workload`: what every sandbox runs (killed at stop); `metricsIntervalMs`: its sampling period.
 *
 * @example
 * ```ts
 * await createSandbox(pools, { home, name, readyTimeoutMs: STORM_SETTINGS.readyTimeoutMs });
 * ```
 */
export const STORM_SETTINGS = Object.freeze({
  readyTimeoutMs: 120_000,
  stopTimeoutMs: 60_000,
  workload: Object.freeze({ command: 'sleep', args: Object.freeze(['3600']) }),
  metricsIntervalMs: 1000,
});
