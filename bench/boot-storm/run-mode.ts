/**
 * One mode's storm, in a process of its own: `node --import tsx bench/boot-storm/run-mode.ts --mode
 * <typed|naive|none> --count <n> --hold-secs <s> --out <file>` with `MSB_HOME` set to a fresh temp dir.
 * Started by `main.ts`; writes its {@link ModeResult} as JSON to `--out`, progress to stderr.
 *
 * Exit codes: 0 the storm ran (its failures are in the result), 1 it could not run, 130/143 stopped by
 * a signal. Whatever it started is killed before it exits.
 *
 * @example
 * ```sh
 * MSB_HOME=$(mktemp -d) node --import tsx bench/boot-storm/run-mode.ts --mode typed --count 20 --hold-secs 3 --out r.json
 * ```
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { msbHome } from '../../src/db/index.js';
import type { ModeResult } from './mode-result.js';
import { openNaiveDriver } from './naive-driver.js';
import { openNoneDriver } from './none-driver.js';
import { runStorm } from './run-storm.js';
import { parseStormArgs, type StormMode } from './storm-args.js';
import type { StormDriver } from './storm-driver.js';
import { STORM_SETTINGS } from './storm-settings.js';
import { openTypedDriver } from './typed-driver.js';

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    count: { type: 'string' },
    'hold-secs': { type: 'string' },
    out: { type: 'string' },
  },
  strict: true,
});
const args = parseStormArgs([
  ...(values.count === undefined ? [] : ['--count', values.count]),
  ...(values['hold-secs'] === undefined ? [] : ['--hold-secs', values['hold-secs']]),
  ...(values.mode === undefined ? [] : ['--modes', values.mode]),
]);
const mode = args.modes.length === 1 ? args.modes[0] : undefined;
const count = args.counts.length === 1 ? args.counts[0] : undefined;
if (mode === undefined || count === undefined || values.out === undefined) {
  process.stderr.write('run-mode: --mode <one mode>, --count <n> and --out <file> are required\n');
  process.exit(1);
}
const out = values.out;
const home = msbHome();
const timeouts = {
  home,
  readyTimeoutMs: STORM_SETTINGS.readyTimeoutMs,
  stopTimeoutMs: STORM_SETTINGS.stopTimeoutMs,
};

let driver: StormDriver | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void (driver?.close() ?? Promise.resolve()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

let exitCode = 0;
try {
  driver = await openDriver(mode);
  const result: ModeResult = await runStorm(mode, driver, {
    count,
    holdSecs: args.holdSecs,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
} catch (err) {
  process.stderr.write(
    `run-mode ${mode}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  exitCode = 1;
} finally {
  await driver?.close();
}
process.exit(exitCode);

function openDriver(m: StormMode): Promise<StormDriver> | StormDriver {
  switch (m) {
    case 'typed':
      return openTypedDriver(timeouts);
    case 'naive':
      return openNaiveDriver(timeouts);
    case 'none':
      return openNoneDriver(timeouts);
  }
}
