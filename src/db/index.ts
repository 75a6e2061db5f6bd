export { DbBusyError } from './db-busy-error.js';
export {
  type DbConfig,
  DEFAULT_DB_CONFIG,
  dbPathFor,
  loadDbConfig,
  msbHome,
  parseDbSection,
} from './db-config.js';
export { DbConfigError } from './db-config-error.js';
export { DbDecodeError } from './db-decode-error.js';
export { DbOpenError, type DbOpenErrorCode } from './db-open-error.js';
export type { DbOpenOptions, DbWriteOptions } from './db-open-options.js';
export { DbPools, type DbPoolsOptions } from './db-pools.js';
export { DbReadConnection } from './db-read-connection.js';
export { DbReadPool, type DbReadPoolOptions } from './db-read-pool.js';
export { DbWriteConnection } from './db-write-connection.js';
export { DbWriteTransaction } from './db-write-transaction.js';
export { decodeDate, decodeFailed, decodeJson, decodeJsonWith } from './decode-column.js';
export { closeGlobal, initGlobal } from './init-global.js';
export { type IsSqliteBusy, isSqliteBusy } from './is-sqlite-busy.js';
export { loadMigrations, type Migration, migration } from './migration.js';
export { LEDGER_TABLE, schemaVersion } from './migrator.js';
export {
  createPrivateFile,
  makePrivateDir,
  makePrivateDirAsync,
  openPrivateAppend,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  pathExists,
} from './private-files.js';
export { type RetryHooks, retryOnBusy } from './retry-on-busy.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy, resolveRetryPolicy } from './retry-policy.js';
export { latestSchemaVersion, projectSchemaDir } from './schema-files.js';
export type { BindParams, RowMode, RunResult, SqlValue } from './sql-types.js';
export type { WriteStats } from './write-stats.js';
