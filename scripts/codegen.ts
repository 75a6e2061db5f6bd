/**
 * `npm run codegen` entry point: compiles `queries/*.sql` into `src/generated/*.ts`.
 *
 * - `--config <file>`: the sqlc.yaml to use (default `sqlc.yaml`); paths are relative to it.
 * - `--check`: regenerate in memory, print a unified diff (committed vs generated) and the missing and
 *   orphaned files; exit 1 on any drift.
 * - `--watch`: regenerate whenever a query, schema or config file changes or is deleted.
 * - `--serial`: render in the main thread instead of a worker (same output; for measurements).
 *
 * Any invalid query prints every problem as `path:line:col: message`, exits 1 and writes nothing.
 */
import { minimist } from 'zx';
import { runCodegenCli } from './codegen/run-codegen-cli.js';

const args = minimist(process.argv.slice(2), {
  string: ['config'],
  boolean: ['check', 'watch', 'serial'],
  default: { config: 'sqlc.yaml' },
});
process.exitCode = await runCodegenCli({
  configPath: String(args.config),
  check: Boolean(args.check),
  watch: Boolean(args.watch),
  serial: Boolean(args.serial),
});
