import { isAbsolute } from 'node:path';
import type { SandboxConfig } from '../runtime/protocol.js';
import { HostError } from './host-error.js';

/**
 * What a sandbox's image contributes as defaults (from the OCI image config).
 *
 * @example
 * ```ts
 * const defaults: ImageDefaults = {
 *   reference: 'app:1', digest: 'sha256:…', entrypoint: [], cmd: ['sleep', '60'], env: {}, workingDir: null,
 * };
 * ```
 */
export interface ImageDefaults {
  readonly reference: string;
  readonly digest: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly workingDir: string | null;
}

/**
 * What the user asked for; anything left out comes from the image, if any.
 *
 * @example
 * ```ts
 * const spec: SandboxSpec = { name: 'web', command: 'sleep', args: ['60'] };
 * ```
 */
export interface SandboxSpec {
  readonly name: string;
  readonly command?: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Absolute; absent means the image's working dir, else the sandbox directory. */
  readonly workingDir?: string;
  readonly metricsIntervalMs?: number;
}

/**
 * Builds the config JSON of a new sandbox, with OCI semantics for image defaults:
 *
 * 1. With a `command`, the workload is `command args…`. Without one, it is the image's `entrypoint`
 *    followed by `args` (or, when no args are given, the image's `cmd`).
 * 2. `env` is the image's env overlaid by the spec's; `workingDir` the spec's, else the image's, else
 *    null (the sandbox directory).
 * 3. `image` keeps the reference and the manifest digest, so the pin survives a re-tagged reference.
 * 4. No command from either side, a relative working dir or a bad interval is `HostError`
 *    `INVALID_ARGUMENT` naming the sandbox.
 *
 * @example
 * ```ts
 * buildSandboxConfig({ name: 'web', args: ['-c', 'echo hi'] }, { ...defaults, entrypoint: ['sh'] });
 * // { command: 'sh', args: ['-c', 'echo hi'], … }
 * ```
 */
export function buildSandboxConfig(spec: SandboxSpec, image?: ImageDefaults): SandboxConfig {
  const bad = (why: string): HostError => new HostError('INVALID_ARGUMENT', `sandbox "${spec.name}": ${why}`);
  let argv: readonly string[];
  if (spec.command !== undefined) {
    argv = [spec.command, ...(spec.args ?? [])];
  } else if (image !== undefined) {
    argv = [
      ...image.entrypoint,
      ...(spec.args !== undefined && spec.args.length > 0 ? spec.args : image.cmd),
    ];
  } else {
    argv = spec.args ?? [];
  }
  const [command, ...args] = argv;
  if (command === undefined || command === '') {
    throw bad(
      image === undefined
        ? 'no command given'
        : `no command given and image "${image.reference}" has no entrypoint or cmd`,
    );
  }
  // OCI configs spell "no working dir" as an empty string.
  const workingDir = spec.workingDir ?? (image?.workingDir === '' ? null : (image?.workingDir ?? null));
  if (workingDir !== null && !isAbsolute(workingDir)) {
    throw bad(`working directory "${workingDir}" must be an absolute path`);
  }
  const metricsIntervalMs = spec.metricsIntervalMs ?? 1000;
  if (!Number.isSafeInteger(metricsIntervalMs) || metricsIntervalMs < 10) {
    throw bad(`metrics interval must be a whole number of milliseconds >= 10, got ${metricsIntervalMs}`);
  }
  return {
    command,
    args,
    env: { ...image?.env, ...spec.env },
    workingDir,
    image: image === undefined ? null : { reference: image.reference, digest: image.digest },
    metricsIntervalMs,
  };
}
