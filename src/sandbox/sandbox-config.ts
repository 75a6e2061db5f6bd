import type { SandboxConfig } from './protocol.js';

/**
 * Parses and checks the `sandbox.config` JSON of sandbox `sandboxName`, for the host and the runtime
 * alike, so neither accepts a config the other would refuse.
 *
 * 1. Every field of {@link SandboxConfig} must be present with its type; extra keys are ignored, so an
 *    older runtime can read a config written by a newer host.
 * 2. `metricsIntervalMs` must be null (no sampling) or a whole number from 10 (faster than `/proc`
 *    accounting moves) to 2^31-1 (Node's timer limit).
 * 3. Anything else is `toError(message)`, the message naming the sandbox and the key.
 *
 * @example
 * ```ts
 * const config = parseSandboxConfig('web', row.config, (m) => new HostError('SANDBOX_CONFIG_INVALID', m));
 * ```
 */
export function parseSandboxConfig(
  sandboxName: string,
  json: string,
  toError: (message: string) => Error,
): SandboxConfig {
  const fail = (key: string, problem: string): Error =>
    toError(`sandbox "${sandboxName}": config ${key === '' ? '' : `key "${key}" `}${problem}`);
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
    metricsIntervalMs !== null &&
    (typeof metricsIntervalMs !== 'number' || !Number.isInteger(metricsIntervalMs) || metricsIntervalMs < 10)
  ) {
    // No upper bound here: rows written before the CLI bounded the option must stay readable (the runtime
    // clamps its timer); new configs are bounded where they are built.
    throw fail('metricsIntervalMs', 'must be null or a whole number of milliseconds >= 10');
  }
  return {
    command,
    args,
    env: envStrings,
    workingDir,
    image: imageRef,
    metricsIntervalMs,
  };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
