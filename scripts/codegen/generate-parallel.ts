import { Worker } from 'node:worker_threads';
import type { AnalysisCache } from './analysis-cache.js';
import type { CodegenConfig } from './codegen-config.js';
import { CodegenError } from './codegen-error.js';
import type { Diagnostic } from './diagnostic.js';
import { analyzeProject } from './generate.js';
import type { RenderMessage, RenderReply } from './render-worker.js';
import { renderWorkerUrl } from './render-worker-url.js';
import type { SchemaTexts } from './schema-texts.js';

/**
 * {@link generate} for a one-shot CLI run: the render stage runs in a worker thread, at a lower
 * priority than this one, that starts loading TypeScript (for the parse check) at once and renders
 * and parse-checks each query file as soon as this thread has analysed it. Same result, same errors
 * and warnings; nothing is written.
 *
 * @example
 * ```ts
 * const files = await generateParallel(loadCodegenConfig('sqlc.yaml'));
 * ```
 */
export async function generateParallel(
  config: CodegenConfig,
  warnings?: Diagnostic[],
  cache?: (schemaTexts: SchemaTexts) => AnalysisCache | undefined,
): Promise<Map<string, string>> {
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
    const rendered = new Promise<RenderReply>((resolve) => worker.once('message', resolve));
    send({ kind: 'config', config });
    analyzeProject(config, (file, queries) => send({ kind: 'file', file, queries }), warnings, cache);
    send({ kind: 'finish' });
    const reply = await Promise.race([rendered, failed]);
    if ('error' in reply) throw new CodegenError(reply.error.code, reply.error.diagnostics);
    return new Map(reply.files);
  } finally {
    await worker.terminate();
  }
}
