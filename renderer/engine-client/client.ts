/**
 * A typed client for the engine protocol over any MessagePort-like object
 * (a Worker, a MessagePort, a test double): requests carry ids and resolve
 * with their response; events are delivered to subscribers.
 */
import { EngineRequestError, errorJson } from '../../engine/protocol/codec';
import type { EngineEvent, Request, ResultOf } from '../../engine/protocol/messages';
import { checkEngineMessage } from '../../engine/protocol/validate';

export { EngineRequestError };
export type { ResultOf };

/** The part of a MessagePort / Worker the client uses. */
export interface PortLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  start?(): void;
}

/** A request without its id (the client assigns ids). */
export type RequestBody<K extends Request['type']> = Omit<Extract<Request, { type: K }>, 'id'>;

/** The event names and their payloads. */
export type EventName = EngineEvent['event'];
export type EventOf<E extends EventName> = Extract<EngineEvent, { event: E }>;

/**
 * What the app needs of an engine: requests, events, and closing. An
 * {@link EngineClient} over one port (the desktop engine), or a supervised
 * worker engine that restarts itself (the web build, ./supervised.ts).
 */
export interface EngineConnection {
  request: EngineClient['request'];
  on: EngineClient['on'];
  dispose(): void;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  type: string;
}

/** The client. One per engine connection. */
export class EngineClient implements EngineConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(e: EngineEvent) => void>>();
  private disposed = false;
  /** Called with a description of every malformed message received. */
  onProtocolError: ((message: string) => void) | null = null;

  constructor(private readonly port: PortLike) {
    port.onmessage = (ev: MessageEvent) => this.receive(ev.data);
    port.start?.();
  }

  /** Sends a request; resolves with its result or rejects with {@link EngineRequestError}. */
  request<K extends Request['type']>(body: RequestBody<K> & { type: K }): Promise<ResultOf[K]> {
    if (this.disposed)
      return Promise.reject(new EngineRequestError(errorJson('EngineClosed', 'the engine connection is closed')));
    const id = this.nextId++;
    return new Promise<ResultOf[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, type: body.type });
      try {
        this.port.postMessage({ ...body, id });
      } catch (e) {
        this.pending.delete(id);
        reject(new EngineRequestError(errorJson('PostMessageError', (e as Error).message)));
      }
    });
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, cb: (e: EventOf<E>) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(cb as (e: EngineEvent) => void);
    this.listeners.set(event, set);
    return () => set.delete(cb as (e: EngineEvent) => void);
  }

  /** Requests still waiting for an answer. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Rejects everything pending and stops listening. */
  dispose(): void {
    this.disposed = true;
    this.port.onmessage = null;
    this.failAll('EngineClosed', 'the engine connection is closed');
  }

  private failAll(type: string, message: string): void {
    for (const p of this.pending.values()) p.reject(new EngineRequestError(errorJson(type, message)));
    this.pending.clear();
  }

  private receive(raw: unknown): void {
    const checked = checkEngineMessage(raw);
    if (!checked.ok) {
      // a malformed answer still settles its request, so nothing waits forever
      const p = checked.id === null ? undefined : this.pending.get(checked.id);
      if (p && checked.id !== null) {
        this.pending.delete(checked.id);
        p.reject(new EngineRequestError(errorJson('ProtocolError', checked.message)));
      }
      this.onProtocolError?.(checked.message);
      return;
    }
    const msg = checked.value;
    if (msg.type === 'response') {
      if (msg.id === null) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new EngineRequestError(msg.error));
      return;
    }
    if (msg.type === 'event') {
      if (msg.event === 'restarted') this.failAll('EngineRestarted', `the engine restarted: ${msg.reason}`);
      for (const cb of this.listeners.get(msg.event) ?? []) cb(msg);
    }
  }
}
