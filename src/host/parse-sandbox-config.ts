import type { SandboxConfig } from '../runtime/protocol.js';
import { HostError } from './host-error.js';

/**
 * Parses and checks the config JSON of sandbox `name` (the `sandbox.config` column).
 *
 * A row written by an older or foreign program fails with `HostError` `SANDBOX_CONFIG_INVALID` naming
 * the sandbox and the field, instead of surfacing later as a runtime that cannot start.
 *
 * @example
 * ```ts
 * const config = parseSandboxConfig(row.config, row.name);
 * ```
 */
export function parseSandboxConfig(json: string, name: string): SandboxConfig {
  const fail = (what: string): never => {
    throw new HostError('SANDBOX_CONFIG_INVALID', `sandbox "${name}": config ${what}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    return fail(`is not JSON (${(err as Error).message})`);
  }
  if (!isObject(value)) return fail('is not an object');
  const { command, args, env, workingDir, image, metricsIntervalMs } = value;
  if (typeof command !== 'string' || command === '') fail('"command" must be a non-empty string');
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) fail('"args" must be strings');
  if (!isObject(env) || !Object.values(env).every((v) => typeof v === 'string')) {
    fail('"env" must map names to strings');
  }
  if (workingDir !== null && typeof workingDir !== 'string') fail('"workingDir" must be a string or null');
  if (
    image !== null &&
    !(isObject(image) && typeof image.reference === 'string' && typeof image.digest === 'string')
  ) {
    fail('"image" must be null or { reference, digest }');
  }
  if (typeof metricsIntervalMs !== 'number' || !(metricsIntervalMs > 0)) {
    fail('"metricsIntervalMs" must be a positive number');
  }
  return value as unknown as SandboxConfig;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
