import type { DbPools } from '../../src/db/index.js';
import { insertRuntimeRun, selectSandboxById, setSandboxStatus } from '../../src/generated/index.js';
import { insertSandboxRecord } from '../../src/host/create-sandbox.js';
import { type SandboxRecord, type SandboxStatus, toSandboxRecord } from '../../src/host/records.js';
import type { SandboxConfig } from '../../src/sandbox/protocol.js';

/**
 * A small valid sandbox config.
 *
 * @example
 * ```ts
 * const config = sleepConfig();
 * ```
 */
export function sleepConfig(): SandboxConfig {
  return { command: 'sleep', args: ['60'], env: {}, workingDir: null, image: null, metricsIntervalMs: 1000 };
}

/**
 * Inserts a sandbox (as the host does, Running) and optionally moves it to `status` and gives it a
 * Running run with `pid` (as its runtime would). Resolves the fresh record and the run id.
 *
 * @example
 * ```ts
 * const { record, runId } = await seedSandbox(pools, 'a', { pid: child.pid });
 * ```
 */
export async function seedSandbox(
  pools: DbPools,
  name: string,
  options: { readonly status?: SandboxStatus; readonly pid?: number; readonly startDeadline?: string } = {},
): Promise<{ record: SandboxRecord; runId: number | null }> {
  const inserted = await insertSandboxRecord(pools.write, {
    name,
    config: sleepConfig(),
    ...(options.startDeadline === undefined ? {} : { startDeadline: options.startDeadline }),
  });
  const runId =
    options.pid === undefined
      ? null
      : await insertRuntimeRun(pools.write, { sandboxId: inserted.id, pid: options.pid });
  if (options.status !== undefined)
    await setSandboxStatus(pools.write, { id: inserted.id, status: options.status });
  const row = selectSandboxById(pools.read, { id: inserted.id });
  if (row === undefined) throw new Error(`sandbox ${name} vanished`);
  return { record: toSandboxRecord(row), runId };
}
