/**
 * The contract between the host and a runtime process: what the host stores in `sandbox.config`, how
 * it starts a runtime, and the one report the runtime sends back.
 *
 * The host starts `node dist/runtime/main.cjs --db <path> --home <dir> --sandbox <name> --sandbox-id <id>`
 * detached (its own process group), with file descriptor 3 a pipe and stderr appended to
 * `<home>/sandboxes/<name>/runtime.log` (optional: `--connect-timeout-ms <n>`, `--stop-grace-ms <n>`). The
 * runtime opens its own `DbWriteConnection`, checks that sandbox `<id>` is still named `<name>`, still
 * Running and unclaimed, and inserts its run with its own pid in the same transaction (else it reports
 * `failed` and starts nothing); it spawns the workload (which stays in the runtime's process group, so a
 * signal to the group reaches both), stores the first metric sample (unless sampling is off or the workload already exited),
 * then writes exactly one {@link RuntimeReport} as a JSON line to fd 3 and closes it. The host waits for
 * that line (or EOF, which means the runtime died).
 */

/**
 * A sandbox's persistent definition, stored as JSON in `sandbox.config`.
 *
 * @example
 * ```ts
 * const config: SandboxConfig = {
 *   command: 'sleep', args: ['60'], env: {}, workingDir: null, image: null, metricsIntervalMs: 1000,
 * };
 * ```
 */
export interface SandboxConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Absolute working directory of the workload; null means the sandbox directory. */
  readonly workingDir: string | null;
  /** The image the defaults came from; the digest is kept even if the manifest row goes away. */
  readonly image: { readonly reference: string; readonly digest: string } | null;
  /** Milliseconds between metric samples; null: no samples at all (`--metrics-interval off`). */
  readonly metricsIntervalMs: number | null;
}

/**
 * The one line a runtime writes to fd 3.
 *
 * @example
 * ```ts
 * const report: RuntimeReport = { type: 'ready', runId: 1, runtimePid: 100, workloadPid: 101, busyRetries: 0 };
 * ```
 */
export type RuntimeReport =
  | {
      readonly type: 'ready';
      readonly runId: number;
      readonly runtimePid: number;
      readonly workloadPid: number;
      /** Busy retries the runtime's writer needed up to the report (run row, first metric). */
      readonly busyRetries: number;
    }
  | { readonly type: 'failed'; readonly code: string; readonly message: string };

/**
 * The file descriptor of the report pipe in the runtime.
 *
 * @example
 * ```ts
 * spawn(process.execPath, args, { stdio: ['ignore', 'ignore', log, 'pipe'] }).stdio[REPORT_FD];
 * ```
 */
export const REPORT_FD = 3;
