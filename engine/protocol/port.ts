/**
 * The channel a client of the engine protocol talks through, free of any
 * runtime: an {@link EnginePort} (messages in and out). Each transport adapts
 * its own object (a worker_threads Worker, a Web Worker, a MessagePort, a test
 * double) to it, most with {@link fromMessagePort}.
 */

/** A bidirectional message channel to an engine host. */
export interface EnginePort {
  /** Sends a message, transferring the listed buffers where the transport can. */
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  /** Subscribes to incoming messages (already unwrapped from their event); returns the unsubscribe function. */
  onMessage(handler: (data: unknown) => void): () => void;
}

/** The part of a DOM MessagePort / Worker (or Node MessagePort) that {@link fromMessagePort} uses. */
export interface MessagePortLike {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener?(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener?(type: 'message', listener: (event: { data: unknown }) => void): void;
  /** Set to the adapter's listener (typed loosely, so a DOM port's own `onmessage` type fits). */
  onmessage?: ((event: never) => unknown) | null;
  start?(): void;
}

/** Adapts a MessagePort-like object (addEventListener or onmessage) to an {@link EnginePort}. */
export function fromMessagePort(port: MessagePortLike): EnginePort {
  const handlers = new Set<(data: unknown) => void>();
  const listener = (event: { data: unknown }) => {
    for (const h of [...handlers]) h(event.data);
  };
  if (port.addEventListener) port.addEventListener('message', listener);
  else port.onmessage = listener;
  port.start?.();
  return {
    postMessage: (message, transfer) => port.postMessage(message, transfer ?? []),
    onMessage(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
}
