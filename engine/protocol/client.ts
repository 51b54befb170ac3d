/**
 * The one client of the engine protocol, used by the app (the desktop engine's
 * port; in the web build through the supervisor), the CLI's `step`, the
 * supervisor itself and the tests. Over an {@link EnginePort}: requests get ids
 * and resolve with their result (or reject with an {@link EngineRequestError}),
 * events go to subscribers, and every incoming message is checked first. Free
 * of Node and DOM APIs, so any transport can use it.
 */
import { EngineRequestError, errorJson } from './codec';
import {
  PROTOCOL_VERSION,
  type CancelResult,
  type EngineEvent,
  type ErrorJson,
  type ForwardStepResult,
  type GraphDocumentJson,
  type LoadResult,
  type Request,
  type RequestType,
  type ResetResult,
  type ResultOf,
  type RunResultWire,
  type RunSummary,
  type TensorData,
  type TensorWhich,
  type BackwardStepResult,
} from './messages';
import { fromMessagePort, type EnginePort, type MessagePortLike } from './port';
import { checkEngineMessage } from './validate';

/** A request without its id (the client assigns ids). */
export type RequestBody<K extends RequestType> = Omit<Extract<Request, { type: K }>, 'id'>;

/** Any request body. */
export type AnyRequestBody = { [K in RequestType]: RequestBody<K> & { type: K } }[RequestType];

/** A subscriber to engine events. */
export type EventListener = (event: EngineEvent) => void;

/** The event names and their payloads. */
export type EventName = EngineEvent['event'];
export type EventOf<E extends EventName> = Extract<EngineEvent, { event: E }>;

/**
 * What the app needs of an engine: requests, events, and closing. An
 * {@link EngineClient} over one port (the desktop engine), or a supervised
 * engine that restarts itself (the web build: engine/host/web/supervised.ts).
 */
export interface EngineConnection {
  request: RequestMethods['request'];
  on: RequestMethods['on'];
  dispose(): void;
}

/** The protocol's requests as methods, over any `request` implementation, and its events by subscription. */
export abstract class RequestMethods {
  private readonly listeners = new Set<EventListener>();

  /** Subscribes to every event, or to one by name (`on('progress', cb)`); returns the unsubscribe function. */
  on(listener: EventListener): () => void;
  on<E extends EventName>(event: E, cb: (e: EventOf<E>) => void): () => void;
  on(a: EventListener | EventName, cb?: (e: never) => void): () => void {
    const listener: EventListener =
      typeof a === 'function' ? a : (e) => void (e.event === a && (cb as EventListener)(e));
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Hands `event` to every subscriber. */
  protected emit(event: EngineEvent): void {
    for (const l of [...this.listeners]) l(event);
  }

  /** Sends one request; resolves with its result. */
  request<K extends RequestType>(body: RequestBody<K> & { type: K }): Promise<ResultOf[K]> {
    return this.transmit(body as AnyRequestBody) as Promise<ResultOf[K]>;
  }

  /** Sends a request and resolves with its (already checked) result. */
  protected abstract transmit(body: AnyRequestBody): Promise<unknown>;

  /** Validates and loads a document; the reply has its issues and inferred ports. */
  load(document: GraphDocumentJson): Promise<LoadResult> {
    return this.request({ type: 'load', document });
  }
  /** Runs what is left (or everything again, or with other iterations). */
  run(options: { iterations?: number } = {}): Promise<RunSummary> {
    return this.request(
      options.iterations === undefined ? { type: 'run' } : { type: 'run', iterations: options.iterations },
    );
  }
  /** Executes the next graph node. */
  stepForward(): Promise<ForwardStepResult> {
    return this.request({ type: 'stepForward' });
  }
  /** Executes exactly one grad_fn. */
  stepBackward(): Promise<BackwardStepResult> {
    return this.request({ type: 'stepBackward' });
  }
  /** Back to before the first iteration. */
  reset(): Promise<ResetResult> {
    return this.request({ type: 'reset' });
  }
  /** Stops the run in progress. */
  cancel(): Promise<CancelResult> {
    return this.request({ type: 'cancel' });
  }
  /** A tensor's values or grad, as a typed array. */
  getTensor(name: string, which: TensorWhich): Promise<TensorData> {
    return this.request({ type: 'getTensor', name, which });
  }
  /** The spec's result of the session so far (typed-array data; see `resultFromWire`). */
  result(): Promise<RunResultWire> {
    return this.request({ type: 'result' });
  }
}

interface Pending {
  readonly type: RequestType;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

/**
 * One connection to one engine host. Where the two clients of the past
 * differed, this one: reports a malformed message that belongs to no request
 * (or a reply for no pending request) to `onInvalid`, while a malformed reply
 * rejects its own request with a `ProtocolError` naming it; rejects a reply
 * that claims to answer another request; fails every pending request with
 * `EngineRestarted` when the engine says it restarted (the desktop relay's
 * supervisor does); checks the protocol version of `ready`.
 */
export class EngineClient extends RequestMethods implements EngineConnection {
  /** Resolves with the protocol version when the host announces itself; rejects on a version mismatch. */
  readonly ready: Promise<number>;
  /** The engine's float32 kernels as its `ready` event named them (`wasm-simd x2`, `ts`); null until then or if not named. */
  kernels: string | null = null;
  private readonly port: EnginePort;
  private readonly onInvalid: (message: string) => void;
  private readonly pending = new Map<number, Pending>();
  private readonly unsubscribe: () => void;
  private settleReady!: { resolve(v: number): void; reject(e: Error): void };
  private nextId = 1;
  private closed: ErrorJson | null = null;

  /**
   * Over an {@link EnginePort}, or a MessagePort-like object (a Worker, a DOM
   * or Node MessagePort). `onInvalid` hears about malformed engine messages
   * that belong to no request.
   */
  constructor(port: EnginePort | MessagePortLike, options: { onInvalid?: (message: string) => void } = {}) {
    super();
    this.port = 'onMessage' in port ? port : fromMessagePort(port);
    this.onInvalid = options.onInvalid ?? (() => undefined);
    this.ready = new Promise<number>((resolve, reject) => (this.settleReady = { resolve, reject }));
    this.ready.catch(() => undefined);
    this.unsubscribe = this.port.onMessage((data) => this.receive(data));
  }

  protected transmit(body: AnyRequestBody): Promise<unknown> {
    if (this.closed) return Promise.reject(new EngineRequestError(this.closed));
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { type: body.type, resolve, reject });
      try {
        this.port.postMessage({ ...body, id });
      } catch (e) {
        this.pending.delete(id);
        reject(
          new EngineRequestError(errorJson('ProtocolError', `could not send ${body.type}: ${(e as Error).message}`)),
        );
      }
    });
  }

  /** Requests still waiting for their reply. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Rejects every pending request with `error`. */
  failAll(error: ErrorJson): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new EngineRequestError(error));
  }

  /** Stops listening; pending and later requests reject with `EngineClosed`. */
  dispose(): void {
    this.close();
  }

  /** Stops listening; pending and later requests reject with `error`. */
  close(error: ErrorJson = errorJson('EngineClosed', 'the engine connection is closed')): void {
    if (this.closed) return;
    this.closed = error;
    this.unsubscribe();
    this.settleReady.reject(new EngineRequestError(error));
    this.failAll(error);
  }

  private receive(data: unknown): void {
    const c = checkEngineMessage(data);
    if (!c.ok) {
      const p = c.id === null ? undefined : this.pending.get(c.id);
      if (!p) return this.onInvalid(c.message);
      this.pending.delete(c.id!);
      return p.reject(new EngineRequestError(errorJson('ProtocolError', `malformed reply to ${p.type}: ${c.message}`)));
    }
    const msg = c.value;
    if (msg.type === 'event') {
      if (msg.event === 'ready') {
        this.kernels = msg.kernels ?? null;
        if (msg.protocol === PROTOCOL_VERSION) this.settleReady.resolve(msg.protocol);
        else
          this.close(
            errorJson('ProtocolError', `the engine speaks protocol ${msg.protocol}, this client ${PROTOCOL_VERSION}`),
          );
      }
      if (msg.event === 'restarted') this.failAll(errorJson('EngineRestarted', `the engine restarted: ${msg.reason}`));
      this.emit(msg);
      return;
    }
    const p = msg.id === null ? undefined : this.pending.get(msg.id);
    if (!p) {
      const what = msg.ok ? 'a reply' : `an error (${msg.error.type}: ${msg.error.message})`;
      return this.onInvalid(`${what} for no pending request (id ${msg.id})`);
    }
    this.pending.delete(msg.id!);
    if (msg.request !== p.type) {
      return p.reject(
        new EngineRequestError(errorJson('ProtocolError', `reply to ${p.type} claims to answer ${msg.request}`)),
      );
    }
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new EngineRequestError(msg.error));
  }
}
