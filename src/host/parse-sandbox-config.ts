import { parseSandboxConfigWith } from '../runtime/parse-sandbox-config.js';
import type { SandboxConfig } from '../runtime/protocol.js';
import { HostError } from './host-error.js';

/**
 * Parses and checks the config JSON of sandbox `name` (the `sandbox.config` column) and rebuilds it
 * field by field, so nothing unchecked reaches the caller.
 *
 * A row written by an older or foreign program fails with `HostError` `SANDBOX_CONFIG_INVALID` naming
 * the sandbox and the key, instead of surfacing later as a runtime that cannot start. The rules are the
 * runtime's own, so the host never accepts a config its runtime would refuse.
 *
 * @example
 * ```ts
 * const config = parseSandboxConfig(row.config, row.name);
 * ```
 */
export function parseSandboxConfig(json: string, name: string): SandboxConfig {
  return parseSandboxConfigWith(name, json, (message) => new HostError('SANDBOX_CONFIG_INVALID', message));
}
