import type { SandboxConfig } from '../runtime/protocol.js';
import { HostError } from './host-error.js';

/**
 * Parses and checks the config JSON of sandbox `name` (the `sandbox.config` column) and rebuilds it
 * field by field, so nothing unchecked reaches the caller.
 *
 * A row written by an older or foreign program fails with `HostError` `SANDBOX_CONFIG_INVALID` naming
 * the sandbox and the key, instead of surfacing later as a runtime that cannot start. The rules are the
 * runtime's (`src/runtime/parse-sandbox-config.ts`), so the host never accepts a config its runtime
 * would refuse.
 *
 * @example
 * ```ts
 * const config = parseSandboxConfig(row.config, row.name);
 * ```
 */
export function parseSandboxConfig(json: string, name: string): SandboxConfig {
  const fail = (key: string, problem: string): HostError =>
    new HostError(
      'SANDBOX_CONFIG_INVALID',
      `sandbox "${name}": config ${key === '' ? '' : `key "${key}" `}${problem}`,
    );
  let root: unknown;
  try {
    root = JSON.parse(json);
  } catch (err) {
    throw fail('', `is not valid JSON: ${(err as Error).message}`);
  }
  if (!isRecord(root)) throw fail('', 'must be a JSON object');
  const { command, args, env, workingDir, image, metricsIntervalMs } = root;
  if (typeof command !== 'string' || command === '') throw fail('command', 'must be a non-empty string');
  if (!isStringArray(args)) throw fail('args', 'must be an array of strings');
  if (!isRecord(env)) throw fail('env', 'must be an object of string values');
  const envStrings: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (typeof value !== 'string') throw fail('env', `value of "${key}" must be a string`);
    envStrings[key] = value;
  }
  if (workingDir !== null && (typeof workingDir !== 'string' || !workingDir.startsWith('/'))) {
    throw fail('workingDir', 'must be an absolute path or null');
  }
  let imageRef: SandboxConfig['image'] = null;
  if (image !== null) {
    if (!isRecord(image) || typeof image.reference !== 'string' || typeof image.digest !== 'string') {
      throw fail('image', 'must be null or { reference, digest } strings');
    }
    imageRef = { reference: image.reference, digest: image.digest };
  }
  if (
    typeof metricsIntervalMs !== 'number' ||
    !Number.isInteger(metricsIntervalMs) ||
    metricsIntervalMs < 10
  ) {
    throw fail('metricsIntervalMs', 'must be a whole number of milliseconds >= 10');
  }
  return { command, args, env: envStrings, workingDir, image: imageRef, metricsIntervalMs };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
