/**
 * Stand-in engine worker used by the web build while `engine/host/web/worker.ts`
 * does not exist: it announces itself and answers every request with an error,
 * so the app loads and says plainly that the engine is missing.
 */
interface WorkerScope {
  postMessage(msg: unknown): void;
  onmessage: ((ev: MessageEvent) => void) | null;
}

const scope = self as unknown as WorkerScope;
scope.postMessage({ type: 'event', event: 'warning', message: 'The engine worker is not part of this build yet.', node: null });
scope.onmessage = (ev: MessageEvent) => {
  const req = ev.data as { id?: number };
  if (typeof req?.id !== 'number') return;
  scope.postMessage({
    type: 'response', id: req.id, ok: false,
    error: { type: 'EngineUnavailable', message: 'The engine is not available in this build (engine/host/web/worker.ts is missing).', node: null, phase: null, iteration: null },
  });
};
