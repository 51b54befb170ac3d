/**
 * Starts the engine in a module Web Worker. Vite bundles the worker from the
 * engine team's entry; until that file exists the build substitutes
 * `missing-worker.ts` (see build/vite.web.config.ts).
 */

/** A new engine worker. */
export function createEngineWorker(): Worker {
  return new Worker(new URL('../../engine/host/web/worker.ts', import.meta.url), { type: 'module' });
}
