/**
 * `npm run codegen` entry point (run through `scripts/codegen-launch.mjs`): compiles `queries/*.sql`
 * into `src/generated/*.ts`.
 *
 * - `--config <file>`: the sqlc.yaml to use (default `sqlc.yaml`); paths are relative to it.
 * - `--check`: regenerate in memory, print a unified diff (committed vs generated) and the missing and
 *   orphaned files; exit 1 on any drift.
 * - `--watch`: regenerate whenever a query, schema or config file changes or is deleted.
 * - `--serial`: render in the main thread instead of a worker (same output; for measurements).
 *
 * Exit codes: 0 done; 1 when a query, the schema or the configuration is invalid (every problem is
 * printed as `path:line:col: message` and nothing is written or deleted), when `--check` finds drift,
 * or when the file system fails; 2 for an unknown flag or a missing flag value.
 */
import { parseArgs } from 'node:util';
import { runCodegenCli } from './codegen/run-codegen-cli.js';

const OPTIONS = {
  config: { type: 'string', default: 'sqlc.yaml' },
  check: { type: 'boolean', default: false },
  watch: { type: 'boolean', default: false },
  serial: { type: 'boolean', default: false },
} as const;

let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'] | undefined;
try {
  values = parseArgs({ options: OPTIONS }).values;
} catch (err) {
  // An unknown flag or a missing value: say which, without a stack trace.
  process.stderr.write(
    `codegen: ${(err as Error).message}\nusage: codegen [--config sqlc.yaml] [--check | --watch]\n`,
  );
  process.exitCode = 2;
}
if (values !== undefined) {
  try {
    process.exitCode = await runCodegenCli({
      configPath: values.config,
      check: values.check,
      watch: values.watch,
      serial: values.serial,
    });
  } catch (err) {
    // A file system that fails under the generator (EACCES, ENOSPC, EISDIR) is the environment, not a
    // bug: its message names the path, and a stack trace would only hide it. Anything else is a bug.
    if (typeof (err as NodeJS.ErrnoException).syscall !== 'string') throw err;
    process.stderr.write(`codegen: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
