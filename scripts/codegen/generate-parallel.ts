import { Worker } from 'node:worker_threads';
import type { CodegenConfig } from './codegen-config.js';
import { analyzeProject } from './generate.js';
import type { RenderMessage } from './render-worker.js';
import { renderWorkerUrl } from './render-worker-url.js';

/**
 * {@link generate} for a one-shot CLI run: the render stage runs in a worker thread that starts
 * loading ts-morph (the largest fixed cost, about 0.4 s) at once and renders each query file as soon
 * as this thread has analysed it. Same result, same errors; nothing is written.
 *
 * @example
 * ```ts
 * const files = await generateParallel(loadCodegenConfig('sqlc.yaml'));
 * ```
 */
export async function generateParallel(config: CodegenConfig): Promise<Map<string, string>> {
  const worker = new Worker(renderWorkerUrl());
  const send = (message: RenderMessage): void => worker.postMessage(message);
  try {
    const failed = new Promise<never>((_, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the render worker exited early with code ${code}`)));
    });
    // When the analysis throws, the worker is terminated below and `failed` rejects with nobody
    // waiting; that rejection is expected, not an error of its own.
    failed.catch(() => undefined);
    const rendered = new Promise<[string, string][]>((resolve) => worker.once('message', resolve));
    send({ kind: 'config', config });
    analyzeProject(config, (file, queries) => send({ kind: 'file', file, queries }));
    send({ kind: 'finish' });
    return new Map(await Promise.race([rendered, failed]));
  } finally {
    await worker.terminate();
  }
}
