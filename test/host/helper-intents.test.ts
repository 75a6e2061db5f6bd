import { fileURLToPath } from 'node:url';
import { Project } from 'ts-morph';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeHelpers, checkHelperIntents } from '../support/helper-intents.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const HOST = `${ROOT}/src/host`;

let project: Project;

beforeAll(() => {
  project = new Project({ tsConfigFilePath: `${ROOT}/tsconfig.json`, skipAddingFilesFromTsConfig: true });
  project.addSourceFilesAtPaths(`${HOST}/**/*.ts`);
  project.resolveSourceFileDependencies();
});

describe('src/host helper signatures', () => {
  it('should take the connection type of their intent: read → DbReadConnection, write → DbWriteConnection, both → DbPools', () => {
    expect(checkHelperIntents(project, HOST)).toEqual([]);
  });

  it('should find the intent of each helper: read, write or both', () => {
    const intents = new Map(analyzeHelpers(project, HOST).map((h) => [h.helper, h]));
    const expected = {
      read: ['loadActivePids', 'loadSandboxRecord', 'buildHandle', 'metricsForSandbox'],
      write: ['markSandboxRuntimeStale', 'markSandboxStoppedForReplacement', 'insertSandboxRecord'],
      both: [
        'reconcileSandboxRuntimeState',
        'loadSandboxRecordReconciled',
        'prepareCreateTarget',
        'stopSandboxForReplacement',
      ],
    };
    for (const name of expected.read) expect(intents.get(name)?.effects, name).toEqual(['read']);
    for (const name of expected.write) expect(intents.get(name)?.effects, name).toEqual(['write']);
    for (const name of expected.both) expect(intents.get(name)?.effects, name).toEqual(['read', 'write']);
  });

  it('should report helpers (functions, arrow functions, function expressions) whose parameter type does not match their intent, through other helpers too', () => {
    const fixture = project.createSourceFile(
      `${HOST}/zz-intent-fixture.ts`,
      `import type { DbPools, DbReadConnection, DbWriteConnection, DbWriteTransaction } from '../db/index.js';
import { selectSandboxByName, setSandboxStatus } from '../generated/index.js';
import { loadSandboxRecord } from './reconcile.js';

export function readsButTakesPools(pools: DbPools) {
  return selectSandboxByName(pools.read, { name: 'a' });
}
export function writesButTakesPools(pools: DbPools) {
  return setSandboxStatus(pools.write, { id: 1, status: 'Stopped' });
}
export async function bothButTakesTwoConnections(read: DbReadConnection, write: DbWriteConnection) {
  if (selectSandboxByName(read, { name: 'a' }) !== undefined) await setSandboxStatus(write, { id: 1, status: 'Stopped' });
}
export function readsThroughAHelperButTakesPools(pools: DbPools) {
  return loadSandboxRecord(pools.read, 'a');
}
export function readsOk(read: DbReadConnection) {
  return selectSandboxByName(read, { name: 'a' });
}
export function writesOk(write: DbWriteConnection) {
  return setSandboxStatus(write, { id: 1, status: 'Stopped' });
}
export function readModifyWriteInOneTransactionOk(write: DbWriteConnection) {
  return write.transaction((tx: DbWriteTransaction) => {
    const row = selectSandboxByName(tx, { name: 'a' });
    if (row !== undefined) setSandboxStatus(tx, { id: row.id, status: 'Stopped' });
  });
}
export function bothOk(pools: DbPools) {
  return readsOk(pools.read) === undefined ? writesOk(pools.write) : undefined;
}
export function noDatabase(pools: DbPools) {
  return pools.read.path;
}
export const arrowWritesButTakesPools = (pools: DbPools) => setSandboxStatus(pools.write, { id: 1, status: 'Stopped' });
export const expressionReadsButTakesPools = function (pools: DbPools) {
  return selectSandboxByName(pools.read, { name: 'a' });
};
const innerArrowReads = (read: DbReadConnection) => selectSandboxByName(read, { name: 'a' });
export const arrowReadsThroughAnArrowButTakesPools = (pools: DbPools) => innerArrowReads(pools.read);
export const arrowReadsOk = (read: DbReadConnection) => innerArrowReads(read);
`,
    );
    try {
      const found = checkHelperIntents(project, HOST).map(({ helper, effects, takes }) => ({
        helper,
        effects,
        takes,
      }));
      expect(found).toEqual([
        { helper: 'readsButTakesPools', effects: ['read'], takes: ['DbPools'] },
        { helper: 'writesButTakesPools', effects: ['write'], takes: ['DbPools'] },
        {
          helper: 'bothButTakesTwoConnections',
          effects: ['read', 'write'],
          takes: ['DbReadConnection', 'DbWriteConnection'],
        },
        { helper: 'readsThroughAHelperButTakesPools', effects: ['read'], takes: ['DbPools'] },
        { helper: 'arrowWritesButTakesPools', effects: ['write'], takes: ['DbPools'] },
        { helper: 'expressionReadsButTakesPools', effects: ['read'], takes: ['DbPools'] },
        { helper: 'arrowReadsThroughAnArrowButTakesPools', effects: ['read'], takes: ['DbPools'] },
      ]);
    } finally {
      project.removeSourceFile(fixture);
    }
  });
});
