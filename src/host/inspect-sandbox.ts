import type { DbReadConnection } from '../db/index.js';
import { listRunsOfSandbox } from '../generated/index.js';
import { buildHandle } from './build-handle.js';
import { HostError } from './host-error.js';
import { loadSandboxRecord } from './load-sandbox-record.js';
import type { MetricSample } from './metric-sample.js';
import { metricsForSandbox } from './metrics-for-sandbox.js';
import type { RunRecord } from './run-record.js';
import type { SandboxHandle } from './sandbox-handle.js';

/**
 * Everything `msb inspect` shows: the handle, recent runs and recent metric samples (newest first).
 *
 * @example
 * ```ts
 * const { handle, runs }: SandboxInspection = inspectSandbox(pools.read, 'web');
 * ```
 */
export interface SandboxInspection {
  readonly handle: SandboxHandle;
  readonly runs: readonly RunRecord[];
  readonly metrics: readonly MetricSample[];
}

/**
 * Reads a sandbox's handle, its last `limit` runs and metric samples in one snapshot; a missing
 * sandbox is `HostError` `SANDBOX_NOT_FOUND`.
 *
 * @example
 * ```ts
 * const inspection = inspectSandbox(pools.read, 'web', 5);
 * ```
 */
export function inspectSandbox(read: DbReadConnection, name: string, limit = 10): SandboxInspection {
  return read.snapshot((conn) => {
    const record = loadSandboxRecord(conn, name);
    if (record === undefined) throw new HostError('SANDBOX_NOT_FOUND', `sandbox "${name}" does not exist`);
    return {
      handle: buildHandle(conn, record),
      runs: listRunsOfSandbox(conn, { sandboxId: record.id, limit }),
      metrics: metricsForSandbox(conn, record.id, limit),
    };
  });
}
