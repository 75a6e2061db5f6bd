/**
 * The boot storm's idle reference process: `node --import tsx bench/boot-storm/idle-probe.ts`, started
 * by `run-mode.ts` in the host's own session with the host's Node flags, so the kernel schedules it as
 * it schedules the host. It does nothing but run the same 1 ms event-loop histograms as the host. It
 * shares the host's scheduling group: it sees what the machine leaves that group while N runtimes start
 * (and competes with the host's own bursts there); a stall the host has and it has not is the host's own.
 *
 * Protocol (lines): it prints `ready` once its histograms have ticked; on stdin, `hold` and `stop` switch
 * phase, and `end` makes it print one {@link IdleProbeResult} JSON line; it exits when stdin closes, so
 * its parent decides when it is reaped (after the parent has read its children's CPU).
 *
 * @example
 * ```sh
 * printf 'hold\nstop\nend\n' | node --import tsx bench/boot-storm/idle-probe.ts
 * ```
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { trackPhaseStalls } from './track-phase-stalls.js';

/**
 * What the idle process saw, in ms: its event-loop delay p99 and max over the storm, and the longest
 * interval between the 1 ms ticks of each phase (about 1: no stall).
 *
 * @example
 * ```ts
 * const floor: IdleProbeResult = { p99: 20.1, max: 240.3, maxByPhase: { boot: 240.1, hold: 3.2, stop: 40.5 } };
 * ```
 */
export interface IdleProbeResult {
  readonly p99: number;
  readonly max: number;
  readonly maxByPhase: { readonly boot: number; readonly hold: number; readonly stop: number };
}

const PHASES = ['boot', 'hold', 'stop'] as const;

const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
while (loop.count === 0) await sleep(2);
const stalls = await trackPhaseStalls(PHASES);
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'hold' || line === 'stop') await stalls.enter(line);
  if (line !== 'end') continue;
  loop.disable();
  const result: IdleProbeResult = {
    p99: Math.round(loop.percentile(99) / 1e4) / 100,
    max: Math.round(loop.max / 1e4) / 100,
    maxByPhase: stalls.stop(),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
process.exit(0);
