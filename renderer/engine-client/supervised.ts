/**
 * The web build's engine: Web Workers under the engine's supervisor
 * (engine/host/web/supervised.ts). A Cancel the worker does not acknowledge in
 * time ends that worker and starts another with the document loaded again; the
 * request that was running rejects with a `Cancelled` error saying so, and a
 * `restarted` event follows.
 */
import { createWebEngine } from '../../engine/host/web/supervised';
import type { EngineConnection, EventName, EventOf } from './client';
import { createEngineWorker } from './worker-url';

/** A supervised engine in Web Workers, as an {@link EngineConnection}. */
export function supervisedWorkerEngine(createWorker: () => Worker = createEngineWorker): EngineConnection {
  const sup = createWebEngine(createWorker);
  // the two clients spell the same request types through different aliases
  const request = ((body: Parameters<typeof sup.request>[0]) => sup.request(body)) as EngineConnection['request'];
  return {
    request,
    on: <E extends EventName>(event: E, cb: (e: EventOf<E>) => void) =>
      sup.on((e) => {
        if (e.event === event) cb(e as EventOf<E>);
      }),
    dispose: () => sup.dispose(),
  };
}
