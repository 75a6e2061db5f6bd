import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { AnalyzedQuery } from './analyzed-query.js';
import { writeCodeCaches } from './code-cache.js';
import type { CodegenConfig } from './codegen-config.js';
import { CodegenError, type CodegenErrorCode } from './codegen-error.js';
import type { Diagnostic } from './diagnostic.js';
import { ModuleRenderer } from './module-renderer.js';

/**
 * What the main thread sends the render worker: the configuration, then each query file's analysed
 * queries as soon as they are ready, then `finish`, answered with a {@link RenderReply}.
 *
 * @example
 * ```ts
 * worker.postMessage({ kind: 'file', file: 'run.sql', queries } satisfies RenderMessage);
 * ```
 */
export type RenderMessage =
  | { readonly kind: 'config'; readonly config: CodegenConfig }
  | { readonly kind: 'file'; readonly file: string; readonly queries: readonly AnalyzedQuery[] }
  | { readonly kind: 'finish' };

/**
 * The render worker's answer to `finish`: every file as `[path, text][]`, or the {@link CodegenError}
 * the render stage threw (a class does not survive the message channel; its code and diagnostics do).
 *
 * @example
 * ```ts
 * const reply: RenderReply = { files: [['/p/src/generated/run.ts', text]] };
 * ```
 */
export type RenderReply =
  | { readonly files: readonly [string, string][] }
  | { readonly error: { readonly code: CodegenErrorCode; readonly diagnostics: readonly Diagnostic[] } };

// The main thread's analysis is the critical path, and on two cores this thread competed with it and
// with V8's compiler threads, which make the SQL parser fast (the analysis took a third longer): it
// yields to them. On Linux a nice value is per thread, so only this thread is lowered.
if (process.platform === 'linux') {
  try {
    setPriority(19);
  } catch {
    // Not lowered: only slower.
  }
}
// TypeScript (which checks that every generated module parses) is loaded only when a module is not
// one it accepted before (see ParsedModuleCache): loading it is the largest fixed cost of a run, and
// a run that renders what an earlier one did needs no parser at all.
let renderer: ModuleRenderer | undefined;
parentPort?.on('message', (message: RenderMessage) => {
  switch (message.kind) {
    case 'config':
      renderer = new ModuleRenderer(message.config);
      break;
    case 'file':
      renderer?.add(message.file, message.queries);
      break;
    case 'finish': {
      let reply: RenderReply;
      try {
        reply = { files: [...(renderer?.finish() ?? [])] };
      } catch (e) {
        if (!(e instanceof CodegenError)) throw e;
        reply = { error: { code: e.code, diagnostics: e.diagnostics } };
      }
      // Before answering: once answered, this thread is terminated, not exited.
      writeCodeCaches();
      parentPort?.postMessage(reply);
      break;
    }
  }
});
