/**
 * Where the render worker's entry is. Bundled by `scripts/codegen-launch.mjs`, it is the sibling bundle
 * `codegen/render-worker.mjs`; run from source (tsx, tests), a boot file registers tsx in the worker
 * first, since worker threads do not inherit the loader on Node 20.
 *
 * @example
 * ```ts
 * const worker = new Worker(renderWorkerUrl());
 * ```
 */
export function renderWorkerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('./render-worker-boot.mjs', import.meta.url)
    : new URL('./codegen/render-worker.mjs', import.meta.url);
}
