/**
 * The web build's engine: Web Workers under the engine's supervisor
 * (engine/host/web/supervised.ts). A Cancel the worker does not acknowledge in
 * time ends that worker and starts another with the document loaded again; the
 * request that was running rejects with a `Cancelled` error saying so, and a
 * `restarted` event follows.
 */
import type { EngineConnection } from '../../engine/protocol/client';
import { createWebEngine } from '../../engine/host/web/supervised';
import { createEngineWorker } from './worker-url';

/** A supervised engine in Web Workers, as an {@link EngineConnection}. */
export function supervisedWorkerEngine(createWorker: () => Worker = createEngineWorker): EngineConnection {
  return createWebEngine(createWorker);
}
