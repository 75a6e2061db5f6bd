import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RuntimeError } from '../sandbox/errors.js';
import type { SandboxConfig } from '../sandbox/protocol.js';

/** Variables a workload inherits from its runtime; everything else comes from the sandbox config. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'TZ', 'TMPDIR'] as const;

/**
 * Starts a sandbox's workload and resolves once the operating system has started it.
 *
 * 1. Runs `command` with `args`, in `workingDir` (or the sandbox directory when null), with the
 *    runtime's `PATH`, `HOME`, `LANG`, `LC_ALL`, `TERM`, `TZ`, `TMPDIR` overlaid by the config's `env`
 *    (the host's other variables, such as `MSB_HOME`, stay out of the sandbox).
 * 2. Its stdout and stderr are appended to `stdout.log` and `stderr.log` in the sandbox directory; stdin
 *    is closed.
 * 3. It stays in the runtime's process group, so a signal to the group (the host's kill) reaches both.
 * 4. A command that cannot be started (ENOENT, EACCES) or a working directory that is not a directory is
 *    a `RuntimeError` `WORKLOAD_START_FAILED` naming the sandbox and the command or directory.
 *
 * @example
 * ```ts
 * const child = await spawnWorkload('web', config, '/home/me/.microsandbox/sandboxes/web');
 * child.on('exit', (code, signal) => console.log(code, signal));
 * ```
 */
export async function spawnWorkload(
  sandboxName: string,
  config: SandboxConfig,
  sandboxDir: string,
): Promise<ChildProcess> {
  const cwd = config.workingDir ?? sandboxDir;
  if (!isDirectory(cwd)) {
    throw new RuntimeError(
      'WORKLOAD_START_FAILED',
      `sandbox "${sandboxName}": working directory ${cwd} does not exist or is not a directory`,
    );
  }
  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  Object.assign(env, config.env);
  const stdout = openSync(join(sandboxDir, 'stdout.log'), 'a');
  const stderr = openSync(join(sandboxDir, 'stderr.log'), 'a');
  try {
    const child = spawn(config.command, [...config.args], { cwd, env, stdio: ['ignore', stdout, stderr] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) =>
        reject(
          new RuntimeError(
            'WORKLOAD_START_FAILED',
            `sandbox "${sandboxName}": cannot start command "${config.command}": ${err.message}`,
            { cause: err },
          ),
        ),
      );
    });
    return child;
  } finally {
    // The child holds its own copies of the log descriptors.
    closeSync(stdout);
    closeSync(stderr);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
