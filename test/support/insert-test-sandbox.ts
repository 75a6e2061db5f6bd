import type { DbWriteConnection } from '../../src/db/index.js';
import type { SandboxConfig } from '../../src/sandbox/protocol.js';

/**
 * Test-only: inserts a sandbox row as the host would before starting its runtime (status Running, the
 * config as JSON), so runtime tests do not depend on the host's helpers. Returns the sandbox id.
 *
 * @example
 * ```ts
 * const id = await insertTestSandbox(pools.write, 'web', { command: 'sleep', args: ['30'] });
 * ```
 */
export function insertTestSandbox(
  write: DbWriteConnection,
  name: string,
  config: Partial<SandboxConfig> & { readonly command: string },
): Promise<number> {
  const full: SandboxConfig = {
    args: [],
    env: {},
    workingDir: null,
    image: null,
    metricsIntervalMs: 1000,
    ...config,
  };
  return write.transaction((tx) =>
    Number(
      tx.run(`INSERT INTO sandbox (name, config, status) VALUES (@name, @config, 'Running')`, {
        name,
        config: JSON.stringify(full),
      }).lastInsertRowid,
    ),
  );
}
