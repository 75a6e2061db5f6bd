import type { DbWriteConnection } from '../db/index.js';
import { monotonicMs } from '../db/monotonic-ms.js';
import { RuntimeError } from '../sandbox/errors.js';
import { type MetricSample, persistSample } from './persist-sample.js';
import { CLOCK_TICKS_PER_SECOND, type ProcStats, readProcStats } from './read-proc-stats.js';
import { runtimeLog } from './runtime-log.js';

/** Options of {@link runMetricsSampler}. */
export interface MetricsSamplerOptions {
  /** The run the samples belong to: sampling stops once the host no longer counts on it. */
  readonly runId: number;
  readonly pid: number;
  /** Default 1000. */
  readonly intervalMs?: number;
  /** Gets each failed later sample (the sampler goes on). Default: stderr. */
  readonly onError?: (err: unknown) => void;
  /** Called once, sampling stopped, when a later sample finds the host no longer counts on the run. */
  readonly onRunEnded?: () => void;
}

/** A running sampler. */
export interface MetricsSampler {
  /**
   * `true` once stored, `false` if the workload was already gone. Rejects, without calling `onError`, if
   * it could not be read or stored, or with `SANDBOX_NOT_STARTABLE` if the host gave up on the run.
   */
  readonly firstSample: Promise<boolean>;
  /** Samples stored so far. */
  readonly stored: number;
  /** Stops sampling and waits for a sample in flight. */
  stop(): Promise<void>;
}

/**
 * Samples a workload from `/proc` at once, then every `intervalMs` from the previous start, never
 * overlapping (a slow commit delays the next one). The first CPU % averages over the process's life,
 * later ones over the interval (200 on two busy cores). The timer is unref'd.
 */
export function runMetricsSampler(write: DbWriteConnection, options: MetricsSamplerOptions): MetricsSampler {
  const { runId, pid } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const onError =
    options.onError ?? ((err: unknown) => runtimeLog(`metrics sampler of pid ${pid}: ${String(err)}`));
  let previous: { readonly cpuTicks: number; readonly at: number } | undefined;
  let stored = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const sampleOnce = async (): Promise<boolean> => {
    const at = monotonicMs();
    const stats = readProcStats(pid);
    if (stats === undefined || stopped) return false;
    const sample = toSample(stats, previous, at);
    previous = { cpuTicks: stats.cpuTicks, at };
    if (!(await persistSample(write, { runId }, sample))) {
      stopped = true;
      throw new RunEnded(runId);
    }
    stored++;
    return true;
  };

  const tick = (): Promise<boolean> => {
    const started = monotonicMs();
    const sample = sampleOnce();
    const scheduleNext = (): void => {
      if (stopped) return;
      const later = (): void =>
        void tick().catch((err: unknown) =>
          err instanceof RunEnded ? options.onRunEnded?.() : onError(err),
        );
      // Clamped to Node's timer range: a larger delay would fire at once.
      timer = setTimeout(later, Math.min(2 ** 31 - 1, Math.max(0, intervalMs - (monotonicMs() - started))));
      timer.unref();
    };
    // stop() waits for this, whatever the sample's outcome; the outcome itself goes to tick's caller.
    inFlight = sample.then(scheduleNext, scheduleNext);
    return sample;
  };

  const firstSample = tick();
  return {
    firstSample,
    get stored() {
      return stored;
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await inFlight;
    },
  };
}

function toSample(
  stats: ProcStats,
  previous: { readonly cpuTicks: number; readonly at: number } | undefined,
  at: number,
): MetricSample {
  const cpuSeconds =
    (previous === undefined ? stats.cpuTicks : stats.cpuTicks - previous.cpuTicks) / CLOCK_TICKS_PER_SECOND;
  const wallSeconds = previous === undefined ? stats.ageSeconds : (at - previous.at) / 1000;
  return {
    cpuPercent: wallSeconds > 0 ? Math.round((cpuSeconds / wallSeconds) * 10_000) / 100 : 0,
    memoryBytes: stats.rssBytes,
    diskReadBytes: stats.readBytes,
    diskWriteBytes: stats.writeBytes,
    netRxBytes: stats.netRxBytes,
    netTxBytes: stats.netTxBytes,
  };
}

/** A sample refused because the host no longer counts on the run. */
class RunEnded extends RuntimeError {
  constructor(runId: number) {
    super(
      'SANDBOX_NOT_STARTABLE',
      `run ${runId} was ended by the host (its sandbox is gone, Stopped or Crashed)`,
    );
  }
}
