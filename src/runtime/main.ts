/** Entry of a runtime process, started by `startRuntime`; `protocol.ts` holds its contract with the host. */
import { parseRuntimeArgs } from './parse-runtime-args.js';
import { reportToHost } from './report-to-host.js';
import { runRuntime } from './run-runtime.js';
import { runtimeLog } from './runtime-log.js';

// A function, not top-level await: the runtime ships as a CommonJS bundle (scripts/bundle-runtime.mjs).
async function main(): Promise<number> {
  try {
    return await runRuntime(parseRuntimeArgs(process.argv.slice(2)));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown }).code;
    reportToHost({ type: 'failed', code: typeof code === 'string' ? code : 'RUNTIME_INTERNAL', message });
    runtimeLog(message);
    return 2;
  }
}

// A run that never settles (its event loop drained) must not exit 0 as a finished one does; top-level
// await exited 13 there.
process.exitCode = 1;
// Explicit: a stray handle (a timer, a closed pipe's socket) must not keep a finished runtime alive.
void main().then((exitCode) => process.exit(exitCode));
