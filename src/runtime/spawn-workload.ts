import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openPrivateAppend } from '../db/index.js';
import { RuntimeError } from '../sandbox/errors.js';
import type { SandboxConfig } from '../sandbox/protocol.js';

/** Variables a workload inherits from its runtime; everything else comes from the sandbox config. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'TZ', 'TMPDIR'] as const;

/**
 * Starts a workload in the runtime's process group (so the host's group kill reaches it), appending its
 * output to the sandbox's `stdout.log`/`stderr.log`; resolves once spawned. A command or working
 * directory that cannot be used is `WORKLOAD_START_FAILED`.
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
  const stdout = openPrivateAppend(join(sandboxDir, 'stdout.log'));
  const stderr = openPrivateAppend(join(sandboxDir, 'stderr.log'));
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
