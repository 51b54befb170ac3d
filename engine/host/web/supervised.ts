/**
 * The web build's engine under the supervisor: each engine is a module Web
 * Worker running ./worker.ts (the page creates it, so Vite bundles the worker
 * from the page's `new Worker(new URL(...))`), wrapped as a
 * {@link SpawnedEngine}. A `cancel` the worker does not acknowledge within
 * {@link WEB_CANCEL_GRACE_MS} (it is inside one long kernel, or in a long
 * `load`, and reads no messages) terminates it; a new worker starts and gets
 * the last loaded document again (see ../supervisor.ts).
 */
import { fromMessagePort } from '../../protocol/port';
import type { SpawnedEngine } from '../port';
import { createSupervisedClient, type SupervisedClient, type SupervisorOptions } from '../supervisor';

/**
 * How long a web engine may take to acknowledge `cancel`. Between two units
 * of work the worker answers within a few milliseconds; a restart costs a new
 * worker, its WebAssembly kernels and a load, so it is kept for engines that
 * are really stuck.
 */
export const WEB_CANCEL_GRACE_MS = 250;

/** The part of a DOM Worker used here. */
export interface WorkerLike {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

/**
 * A Worker as a {@link SpawnedEngine}. A Web Worker has no exit event: the
 * one stop reported is an error before the engine said anything (its script
 * did not load or threw at start), so the supervisor tries again and, after a
 * few tries, gives up with a clear error.
 */
export function workerEngine(worker: WorkerLike): SpawnedEngine {
  const port = fromMessagePort({
    postMessage: (message, transfer) => worker.postMessage(message, transfer ?? []),
    addEventListener: (type, listener) => worker.addEventListener(type, listener),
  });
  let heard = false;
  let stopped = false;
  const exits: ((reason: string) => void)[] = [];
  worker.addEventListener('message', () => (heard = true));
  worker.addEventListener('error', (event) => {
    if (heard || stopped) return;
    stopped = true;
    worker.terminate();
    const reason = `the engine worker failed to start: ${event.message || 'script error'}`;
    for (const h of exits) h(reason);
  });
  return {
    postMessage: port.postMessage,
    onMessage: port.onMessage,
    terminate() {
      stopped = true;
      worker.terminate();
    },
    onExit: (handler) => void exits.push(handler),
  };
}

/** A supervised engine over workers made by `createWorker`. */
export function createWebEngine(createWorker: () => WorkerLike, options: SupervisorOptions = {}): SupervisedClient {
  return createSupervisedClient(() => workerEngine(createWorker()), { cancelGraceMs: WEB_CANCEL_GRACE_MS, ...options });
}
