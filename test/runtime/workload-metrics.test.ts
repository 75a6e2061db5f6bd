import { describe, expect, it, onTestFinished } from 'vitest';
import type { DbPools } from '../../src/db/index.js';
import { startRuntime } from '../../src/host/runtime-launcher.js';
import { insertTestSandbox } from '../support/insert-test-sandbox.js';
import { openTestPools } from '../support/open-test-pools.js';
import { waitFor } from '../support/process-helpers.js';

interface MetricRow {
  cpu_percent: number;
  memory_bytes: number;
  disk_read_bytes: number;
  disk_write_bytes: number;
  net_rx_bytes: number;
  net_tx_bytes: number;
}

async function startSandbox(script: string): Promise<{ pools: DbPools; sandboxId: number }> {
  const { pools, dir, path } = await openTestPools();
  const sandboxId = await insertTestSandbox(pools.write, 'probe', {
    command: 'sh',
    args: ['-c', script],
    metricsIntervalMs: 200,
  });
  const started = await startRuntime({
    dbPath: path,
    sandboxName: 'probe',
    sandboxId,
    msbHome: dir,
    timeoutMs: 20_000,
  });
  onTestFinished(() => {
    try {
      process.kill(-started.runtimePid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  return { pools, sandboxId };
}

function samples(pools: DbPools, sandboxId: number): MetricRow[] {
  return pools.read.all<MetricRow>('SELECT * FROM sandbox_metric WHERE sandbox_id = @sandboxId ORDER BY id', {
    sandboxId,
  });
}

describe('runtime metrics', () => {
  it('should report the CPU a busy workload burns', async () => {
    const { pools, sandboxId } = await startSandbox('while :; do :; done');

    const rows = await waitFor('4 samples', () => {
      const all = samples(pools, sandboxId);
      return all.length >= 4 ? all : undefined;
    });

    // One busy loop is ~100 % of one core; two cores shared with other test processes leave it far more
    // than an idle process's 0.
    const later = rows.slice(1).map((r) => r.cpu_percent);
    expect(Math.max(...later)).toBeGreaterThan(30);
    expect(Math.max(...later)).toBeLessThan(210);
  });

  it('should report the bytes a workload writes to disk', async () => {
    const { pools, sandboxId } = await startSandbox(
      'dd if=/dev/zero of=blob bs=1M count=8 conv=fsync 2>/dev/null; exec sleep 30',
    );

    const row = await waitFor('a sample after the write', () =>
      samples(pools, sandboxId).find((r) => r.disk_write_bytes >= 8 * 1024 * 1024),
    );

    expect(row.disk_write_bytes).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    expect(row.memory_bytes).toBeGreaterThan(0);
    expect(row.net_rx_bytes).toBeGreaterThanOrEqual(0);
    expect(row.net_tx_bytes).toBeGreaterThanOrEqual(0);
  });
});
