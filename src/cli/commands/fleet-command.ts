import { initGlobal, msbHome } from '../../db/index.js';
import { createSandbox } from '../../host/create-sandbox.js';
import { listSandboxes } from '../../host/lookup.js';
import { assertValidName } from '../../host/records.js';
import { removeSandbox, stopSandbox } from '../../host/stop-sandbox.js';
import { HostError } from '../../sandbox/errors.js';
import type { Command } from '../command.js';
import { formatError } from '../format-error.js';
import { summarizeHandle } from '../handle-summary.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { MAX_FLEET_COUNT, parsePositiveInt } from '../parse-positive-int.js';
import { ProgressLine } from '../progress-line.js';
import { renderSandboxTable } from '../render-sandbox-table.js';
import { SubjectError } from '../subject-error.js';
import { terminalSafeJson } from '../terminal-safe.js';
import { UsageError } from '../usage-error.js';

/**
 * `msb fleet`: the main job. Boots a fleet of sandboxes concurrently on the default database, shows
 * them, then stops and removes them, reporting sandboxes/s and busy retries.
 *
 * @example
 * ```ts
 * await fleetCommand.run(['--count', '20'], io);
 * ```
 */
export const fleetCommand: Command = {
  name: 'fleet',
  summary: 'boot a fleet of sandboxes at once, show them, stop and remove them (npm start)',
  usage: `Usage: msb fleet [--count <n>] [--prefix <p>] [--keep] [--json] [--] [<command> [args...]]

Boot <n> sandboxes named <p>1..<p>n concurrently on $MSB_HOME's database (replacing any of those
names), each running <command> (default: sleep 3600) under its own runtime process, with a live
progress line on stderr. Then print the ls table, stop them all (SIGTERM), remove them (unless
--keep), and print sandboxes/s and the busy retries of the host's writer and of the runtimes.

Options:
  --count <n>          fleet size, 1 to 1000 (default 20)
  --prefix <p>         name prefix (default "fleet-"); <p><n> must be a valid sandbox name
  --keep               leave the sandboxes running (no stop, no remove)
  --json               print the summary as JSON on stdout (after the table)
  -h, --help           show this help

Ctrl-C lets the boots in flight finish, then stops and removes the fleet (exit 130).

Exit codes: 0 every sandbox booted and stopped, 1 any failed, 130 interrupted.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('fleet', args, {
      count: { type: 'string' },
      prefix: { type: 'string' },
      keep: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const count =
      values.count === undefined ? 20 : parsePositiveInt('fleet', '--count', values.count, MAX_FLEET_COUNT);
    const prefix = values.prefix ?? 'fleet-';
    if (prefix === '') throw new UsageError('fleet: --prefix must not be empty', 'fleet');
    // Checked once here, not as <count> identical failures after the boot started.
    try {
      assertValidName('sandbox', `${prefix}${count}`);
    } catch (err) {
      throw new UsageError(
        `fleet: --prefix ${JSON.stringify(prefix)} makes invalid names: ${(err as Error).message}`,
        'fleet',
      );
    }
    const [command = 'sleep', ...commandArgs] = positionals.length > 0 ? positionals : ['sleep', '3600'];
    const home = msbHome();
    const pools = await initGlobal();
    const names = Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
    const progress = new ProgressLine(io.err, io.errIsTty);
    const failures: SubjectError[] = [];
    let runtimeRetries = 0;

    const status = (phase: string, done: number, started: number): string =>
      `${phase} ${done}/${count} · failed ${failures.length} · busy retries host ${pools.write.stats.busyRetries}, ` +
      `runtimes ${runtimeRetries} · ${((performance.now() - started) / 1000).toFixed(1)} s`;

    // Ctrl-C during the boot lets the boots in flight finish, then stops and removes the fleet (a
    // second Ctrl-C exits at once), so an interrupted run does not leave runtimes behind.
    let interrupted = false;
    const onInterrupt = (): void => {
      if (interrupted) process.exit(130);
      interrupted = true;
      io.err('\nmsb: fleet: interrupted; stopping the sandboxes booted so far (Ctrl-C again to quit now)\n');
    };
    process.on('SIGINT', onInterrupt);
    const bootStart = performance.now();
    let booted = 0;
    const ticker = setInterval(() => progress.update(status('boot', booted, bootStart)), 100);
    const bootedNames: string[] = [];
    const bootMs: number[] = [];
    await Promise.all(
      names.map(async (name) => {
        const started = performance.now();
        try {
          const { runtime } = await createSandbox(pools, {
            home,
            name,
            command,
            args: commandArgs,
            replace: true,
          });
          runtimeRetries += runtime.busyRetries;
          bootedNames.push(name);
          bootMs.push(performance.now() - started);
        } catch (err) {
          failures.push(new SubjectError('sandbox', name, err));
        }
        booted++;
        progress.update(status('boot', booted, bootStart));
      }),
    );
    clearInterval(ticker);
    const bootSeconds = (performance.now() - bootStart) / 1000;
    progress.done(status('boot', booted, bootStart));

    const fleet = new Set(names);
    if (!interrupted) {
      io.out(
        renderSandboxTable(
          listSandboxes(pools.read)
            .map(summarizeHandle)
            .filter((r) => fleet.has(r.name)),
        ),
      );
    }

    let stopSeconds = 0;
    if (values.keep !== true || interrupted) {
      const stopStart = performance.now();
      let stopped = 0;
      await Promise.all(
        bootedNames.map(async (name) => {
          try {
            await stopSandbox(pools, { name });
            await removeSandbox(pools, { home, name });
          } catch (err) {
            if (!(err instanceof HostError) || err.code !== 'SANDBOX_NOT_FOUND') {
              failures.push(new SubjectError('sandbox', name, err));
            }
          }
          stopped++;
          progress.update(status('stop+rm', stopped, stopStart));
        }),
      );
      stopSeconds = (performance.now() - stopStart) / 1000;
      progress.done(status('stop+rm', stopped, stopStart));
    }

    process.off('SIGINT', onInterrupt);
    const hostRetries = pools.write.stats.busyRetries;
    const summary = {
      sandboxes: count,
      booted: bootedNames.length,
      failed: failures.length,
      bootSeconds: round(bootSeconds),
      sandboxesPerSecond: round(bootedNames.length / bootSeconds),
      bootMs: { median: Math.round(percentile(bootMs, 0.5)), p99: Math.round(percentile(bootMs, 0.99)) },
      stopAndRemoveSeconds: round(stopSeconds),
      busyRetries: { host: hostRetries, runtimes: runtimeRetries, total: hostRetries + runtimeRetries },
      busyTimeouts: pools.write.stats.busyTimeouts,
    };
    for (const failure of failures) io.err(formatError(failure));
    io.out(
      values.json === true
        ? `${terminalSafeJson(summary)}\n`
        : `booted ${summary.booted}/${count} sandboxes in ${summary.bootSeconds} s: ${summary.sandboxesPerSecond} sandboxes/s ` +
            `(boot median ${summary.bootMs.median} ms, p99 ${summary.bootMs.p99} ms)\n` +
            (values.keep === true && !interrupted
              ? ''
              : `stopped and removed them in ${summary.stopAndRemoveSeconds} s\n`) +
            `busy retries: ${summary.busyRetries.total} (host writer ${hostRetries}, runtimes ${runtimeRetries}); ` +
            `busy timeouts: ${summary.busyTimeouts}\n`,
    );
    if (interrupted) return 130;
    return failures.length === 0 ? 0 : 1;
  },
};

/** Nearest-rank percentile; NaN for no samples (JSON shows null). */
function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
