/**
 * Starts the engine in a module Web Worker. Vite bundles the worker from its
 * entry, `engine/host/web/worker.ts`.
 */

/** A new engine worker. */
export function createEngineWorker(): Worker {
  return new Worker(new URL('../../engine/host/web/worker.ts', import.meta.url), { type: 'module' });
}
