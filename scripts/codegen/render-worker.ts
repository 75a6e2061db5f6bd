import { parentPort } from 'node:worker_threads';
import type { CodegenConfig } from './codegen-config.js';
import type { AnalyzedProject } from './generate.js';
import { renderProject } from './generate.js';
import { tsMorph } from './load-cjs.js';

/**
 * What the main thread sends: the language-neutral request of the render stage.
 *
 * @example
 * ```ts
 * worker.postMessage({ config, analyzed: analyzeProject(config) } satisfies RenderRequest);
 * ```
 */
export interface RenderRequest {
  readonly config: CodegenConfig;
  readonly analyzed: AnalyzedProject;
}

// Loading ts-morph (and the TypeScript compiler inside it) is the largest fixed cost of a run; this
// thread pays it while the main thread parses and describes the queries.
tsMorph();
parentPort?.once('message', (request: RenderRequest) => {
  const files = renderProject(request.config, request.analyzed);
  parentPort?.postMessage([...files]);
});
