import { parentPort } from 'node:worker_threads';
import type { AnalyzedQuery } from './analyzed-query.js';
import type { CodegenConfig } from './codegen-config.js';
import { tsMorph } from './load-cjs.js';
import { ModuleRenderer } from './module-renderer.js';

/**
 * What the main thread sends the render worker: the configuration, then each query file's analysed
 * queries as soon as they are ready, then `finish`, answered with every file as `[path, text][]`.
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

// Loading ts-morph (and the TypeScript compiler inside it) is the largest fixed cost of a run; this
// thread pays it while the main thread parses and describes the queries, then renders each file as
// it arrives.
tsMorph();
let renderer: ModuleRenderer | undefined;
parentPort?.on('message', (message: RenderMessage) => {
  switch (message.kind) {
    case 'config':
      renderer = new ModuleRenderer(message.config);
      break;
    case 'file':
      renderer?.add(message.file, message.queries);
      break;
    case 'finish':
      parentPort?.postMessage([...(renderer?.finish() ?? [])]);
      break;
  }
});
