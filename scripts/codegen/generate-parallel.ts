import { Worker } from 'node:worker_threads';
import type { CodegenConfig } from './codegen-config.js';
import { analyzeProject } from './generate.js';
import type { RenderRequest } from './render-worker.js';
import { renderWorkerUrl } from './render-worker-url.js';

/**
 * {@link generate} for a one-shot CLI run: the render stage runs in a worker thread that starts
 * loading ts-morph (the largest fixed cost, about 0.4 s) at once, while this thread parses and
 * describes the queries. Same result, same errors; nothing is written.
 *
 * @example
 * ```ts
 * const files = await generateParallel(loadCodegenConfig('sqlc.yaml'));
 * ```
 */
export async function generateParallel(config: CodegenConfig): Promise<Map<string, string>> {
  const worker = new Worker(renderWorkerUrl());
  try {
    const failed = new Promise<never>((_, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the render worker exited early with code ${code}`)));
    });
    const request: RenderRequest = { config, analyzed: analyzeProject(config) };
    const rendered = new Promise<[string, string][]>((resolve) => worker.once('message', resolve));
    worker.postMessage(request);
    return new Map(await Promise.race([rendered, failed]));
  } finally {
    await worker.terminate();
  }
}
