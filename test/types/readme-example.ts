// The README's example, compiled by `npm run typecheck` so the documentation cannot drift from the API.
import { initGlobal } from '../../src/db/index.js';
import { selectActiveRun, setSandboxStatus } from '../../src/generated/index.js';

export async function readmeExample(): Promise<void> {
  const pools = await initGlobal();
  selectActiveRun(pools.read, { sandboxId: 1 });
  await setSandboxStatus(pools.write, { id: 1, status: 'Stopped' });
  await pools.write.transaction((tx) => {
    const run = selectActiveRun(tx, { sandboxId: 1 });
    if (run !== undefined) setSandboxStatus(tx, { id: 1, status: 'Stopped' });
  });
  // @ts-expect-error a read connection cannot write
  setSandboxStatus(pools.read, { id: 1, status: 'Stopped' });
}
