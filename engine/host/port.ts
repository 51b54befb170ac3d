/**
 * The two ends a client talks through, free of any runtime: an {@link EnginePort}
 * (messages in and out) and a {@link SpawnedEngine} (a port whose engine a
 * supervisor can stop and watch). Each transport adapts its own object
 * (worker_threads Worker, Web Worker, MessagePort) to these.
 */

/** A bidirectional message channel to an engine host. */
export interface EnginePort {
  /** Sends a message, transferring the listed buffers where the transport can. */
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  /** Subscribes to incoming messages (already unwrapped from their event); returns the unsubscribe function. */
  onMessage(handler: (data: unknown) => void): () => void;
}

/** An engine a supervisor started: it can be stopped, and it reports when it stops by itself. */
export interface SpawnedEngine extends EnginePort {
  /** Stops the engine at once (even in the middle of a kernel). */
  terminate(): void;
  /** Called once if the engine stops on its own: a crash, out of memory, or a kill from outside. */
  onExit(handler: (reason: string) => void): void;
}

/** The part of a DOM MessagePort / Worker (or Node MessagePort) that {@link fromMessagePort} uses. */
export interface MessagePortLike {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  addEventListener?(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener?(type: 'message', listener: (event: { data: unknown }) => void): void;
  onmessage?: ((event: { data: unknown }) => void) | null;
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
