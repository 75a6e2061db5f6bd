import { resolve } from 'node:path';
import { initGlobal, msbHome } from '../../db/index.js';
import { createSandbox } from '../../host/create-sandbox.js';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { parseKeyValues } from '../parse-key-values.js';
import {
  MAX_METRICS_INTERVAL_MS,
  MAX_TIMEOUT_SECS,
  MIN_METRICS_INTERVAL_MS,
  parsePositiveInt,
} from '../parse-positive-int.js';
import { requireNames } from '../require-names.js';
import { onSubject } from '../subject-error.js';
import { terminalSafe, terminalSafeJson } from '../terminal-safe.js';

/** `msb create <name> [options] [--] <command> [args...]`: define a sandbox and boot it. */
export const createCommand: Command = {
  name: 'create',
  summary: 'create a sandbox and boot its runtime',
  usage: `Usage: msb create <name> [options] [--] [<command> [args...]]

Define sandbox <name> and boot it: the host inserts it as Running, starts its runtime process
(detached; it outlives this command) and waits until the runtime reports its workload started.
Put "--" before a command whose arguments start with "-".

Options:
  --image <name:tag>       take entrypoint/cmd, env and working dir from an imported image as
                           defaults, and pin its manifest
  --env KEY=VALUE          environment variable of the workload (repeatable)
  --workdir <dir>          working directory (default: the image's, else $MSB_HOME/sandboxes/<name>)
  --metrics-interval <ms|off>
                           sampling interval of CPU, memory and I/O, 10 to 3600000 (default
                           1000); off: no samples at all (ls and metrics then show none)
  --replace                stop, delete and wipe an existing sandbox or leftover directory first
  --timeout <seconds>      how long to wait for the runtime to report ready, 1 to 86400
                           (default 30)
  --json                   print the result as JSON
  -h, --help               show this help

Exit codes: 0 running, 1 runtime failed to start, 2 usage, 3 image not found,
4 sandbox or leftover directory exists (use --replace).`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('create', args, {
      image: { type: 'string' },
      env: { type: 'string', multiple: true },
      workdir: { type: 'string' },
      'metrics-interval': { type: 'string' },
      replace: { type: 'boolean' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [name, command, ...commandArgs] = requireNames('create', positionals);
    const interval = values['metrics-interval'];
    // Parsed before the database is touched: a bad value is a usage error, never a half-made sandbox.
    const metricsIntervalMs =
      interval === undefined
        ? undefined
        : interval === 'off'
          ? null
          : parsePositiveInt(
              'create',
              '--metrics-interval',
              interval,
              MAX_METRICS_INTERVAL_MS,
              MIN_METRICS_INTERVAL_MS,
            );
    const readyTimeoutSecs =
      values.timeout === undefined
        ? undefined
        : parsePositiveInt('create', '--timeout', values.timeout, MAX_TIMEOUT_SECS);
    const env = parseKeyValues('create', '--env', values.env);
    const pools = await initGlobal();
    const { record, runtime } = await onSubject('sandbox', name!, () =>
      createSandbox(pools, {
        home: msbHome(),
        name: name!,
        ...(command === undefined ? {} : { command }),
        args: commandArgs,
        env,
        ...(values.workdir === undefined ? {} : { workingDir: resolve(values.workdir) }),
        ...(values.image === undefined ? {} : { image: values.image }),
        ...(metricsIntervalMs === undefined ? {} : { metricsIntervalMs }),
        replace: values.replace === true,
        ...(readyTimeoutSecs === undefined ? {} : { readyTimeoutMs: readyTimeoutSecs * 1000 }),
      }),
    );
    io.out(
      values.json === true
        ? `${terminalSafeJson({ name: record.name, status: 'Running', ...runtime })}\n`
        : `${terminalSafe(record.name)}\tRunning\tpid ${runtime.runtimePid}\n`,
    );
    return 0;
  },
};
