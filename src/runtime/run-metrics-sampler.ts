import type { DbWriteConnection } from '../db/index.js';
import { RuntimeError } from '../sandbox/errors.js';
import { type MetricSample, persistSample } from './persist-sample.js';
import { CLOCK_TICKS_PER_SECOND, type ProcStats, readProcStats } from './read-proc-stats.js';

/**
 * Options of {@link runMetricsSampler}.
 *
 * @example
 * ```ts
 * const options: MetricsSamplerOptions = { sandboxId: 1, runId: 7, pid: child.pid!, intervalMs: 1000 };
 * ```
 */
export interface MetricsSamplerOptions {
  readonly sandboxId: number;
  /** The run the samples belong to: sampling stops once the host no longer counts on it. */
  readonly runId: number;
  /** The workload's pid. */
  readonly pid: number;
  /** Default 1000. */
  readonly intervalMs?: number;
  /**
   * Called with a later sample (not the first) that could not be read or stored; the sampler keeps going.
   * Default: stderr.
   */
  readonly onError?: (err: unknown) => void;
  /**
   * Called once, after a later sample, when the host no longer counts on the run (it is not Running, or
   * its sandbox is gone, Stopped or Crashed); sampling has stopped. Default: nothing.
   */
  readonly onRunEnded?: () => void;
}

/**
 * A running sampler.
 *
 * @example
 * ```ts
 * await sampler.firstSample;
 * await sampler.stop();
 * ```
 */
export interface MetricsSampler {
  /**
   * The first sample: resolves `true` once it is stored, `false` if the workload was already gone (there
   * is nothing to sample); rejects with the error of a first sample that could not be read or stored
   * (that one does not go to `onError`: the caller decides whether the start failed), or with a
   * `RuntimeError` `SANDBOX_NOT_STARTABLE` if the host already gave up on the run.
   */
  readonly firstSample: Promise<boolean>;
  /** Samples stored so far. */
  readonly stored: number;
  /** Stops sampling and waits for a sample in flight. */
  stop(): Promise<void>;
}

/**
 * Samples a workload's resources from `/proc` and stores each sample with {@link persistSample}.
 *
 * 1. The first sample is taken at once; its CPU % is the average since the process started. Later
 *    samples come every `intervalMs` (measured from the previous one's start, never overlapping: a slow
 *    commit delays the next sample instead of piling up) and their CPU % is
 *    Δ(utime+stime) / CLK_TCK / Δwall × 100 (so 200 on two busy cores).
 * 2. A sample of a process that is gone is skipped. A failed first sample rejects `firstSample`; a later
 *    read or store failure goes to `onError` and sampling goes on.
 * 3. Each sample is stored only while the host still counts on the run ({@link persistSample}); when it
 *    no longer does, sampling stops and `onRunEnded` is called (for the first sample: `firstSample`
 *    rejects), so a runtime the host wrote off during its start stops its workload.
 * 4. The timer is unref'd: the sampler never keeps the runtime alive by itself.
 *
 * @example
 * ```ts
 * const sampler = runMetricsSampler(write, { sandboxId, runId, pid: child.pid!, intervalMs: 1000 });
 * if (!(await sampler.firstSample)) console.log('the workload exited before its first sample');
 * child.on('exit', () => void sampler.stop());
 * ```
 */
export function runMetricsSampler(write: DbWriteConnection, options: MetricsSamplerOptions): MetricsSampler {
  const { sandboxId, runId, pid } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const onError =
    options.onError ??
    ((err: unknown) => process.stderr.write(`metrics sampler of pid ${pid}: ${String(err)}\n`));
  let previous: { readonly cpuTicks: number; readonly at: number } | undefined;
  let stored = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const sampleOnce = async (): Promise<boolean> => {
    const at = performance.now();
    const stats = await readProcStats(pid);
    if (stats === undefined || stopped) return false;
    const sample = toSample(stats, previous, at);
    previous = { cpuTicks: stats.cpuTicks, at };
    if (!(await persistSample(write, { sandboxId, runId }, sample))) {
      stopped = true;
      throw new RunEnded(runId);
    }
    stored++;
    return true;
  };

  const tick = (): Promise<boolean> => {
    const started = performance.now();
    const sample = sampleOnce();
    const scheduleNext = (): void => {
      if (stopped) return;
      const later = (): void =>
        void tick().catch((err: unknown) =>
          err instanceof RunEnded ? options.onRunEnded?.() : onError(err),
        );
      timer = setTimeout(later, Math.max(0, intervalMs - (performance.now() - started)));
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
