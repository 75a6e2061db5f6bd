import type { SelectSandboxByNameRow } from '../generated/index.js';
import type { SandboxConfig } from '../runtime/protocol.js';
import { parseSandboxConfig } from './parse-sandbox-config.js';

/**
 * A sandbox's status, as the schema's `CHECK` enum allows it.
 *
 * @example
 * ```ts
 * const active: SandboxStatus[] = ['Running', 'Draining'];
 * ```
 */
export type SandboxStatus = SelectSandboxByNameRow['status'];

/**
 * A `sandbox` row with its config JSON parsed.
 *
 * @example
 * ```ts
 * const record = loadSandboxRecord(pools.read, 'web');
 * record?.config.command; // 'sleep'
 * ```
 */
export interface SandboxRecord {
  readonly id: number;
  readonly name: string;
  readonly status: SandboxStatus;
  readonly config: SandboxConfig;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Builds a {@link SandboxRecord} from any generated row of the `sandbox` table.
 *
 * @example
 * ```ts
 * const row = selectSandboxByName(pools.read, { name: 'web' });
 * const record = row === undefined ? undefined : toSandboxRecord(row);
 * ```
 */
export function toSandboxRecord(row: SelectSandboxByNameRow): SandboxRecord {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    config: parseSandboxConfig(row.config, row.name),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * Whether a status means a runtime is (or should be) supervising the sandbox.
 *
 * @example
 * ```ts
 * isActiveStatus('Draining'); // true
 * ```
 */
export function isActiveStatus(status: SandboxStatus): boolean {
  return status === 'Running' || status === 'Draining';
}
