/**
 * A client that keeps an engine alive. It restarts the engine when it crashes,
 * runs out of memory or is killed, and when a `cancel` is not acknowledged
 * within `cancelGraceMs` (the engine is inside one long kernel and cannot read
 * messages): the pending requests reject with a clear error, subscribers get a
 * `restarted` event, and the last loaded document is loaded again so the
 * session is usable at once. Requests sent during a restart wait for it.
 */
import { EngineRequestError, errorJson } from '../protocol/codec';
import { EngineClient, RequestMethods, type AnyRequestBody } from '../protocol/client';
import type { CancelResult, ErrorJson, GraphDocumentJson, LoadResult } from '../protocol/messages';
import type { SpawnedEngine } from './port';

/** Tuning of a supervised client. */
export interface SupervisorOptions {
  /** How long an engine may take to acknowledge `cancel` before it is restarted. Default 50 ms. */
  readonly cancelGraceMs?: number;
  /** More restarts than this within `restartWindowMs` and the supervisor gives up. Default 5. */
  readonly maxRestarts?: number;
  readonly restartWindowMs?: number;
}

// Timers exist in every runtime the engine runs in; typed here so this file needs neither DOM nor Node types.
const timers = globalThis as unknown as {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

/**
 * A restartable connection to an engine, with the same methods as {@link EngineClient};
 * its events are the engine's, and `restarted` from the supervisor.
 */
export class SupervisedClient extends RequestMethods {
  private readonly spawn: () => SpawnedEngine;
  private readonly options: SupervisorOptions;
  private engine!: SpawnedEngine;
  private client!: EngineClient;
  private starting: Promise<void> = Promise.resolve();
  private generation = 0;
  private lastDocument: GraphDocumentJson | null = null;
  private restarts: number[] = [];
  private dead: ErrorJson | null = null;

  constructor(spawn: () => SpawnedEngine, options: SupervisorOptions = {}) {
    super();
    this.spawn = spawn;
    this.options = options;
    this.start();
  }

  /** The engine currently serving requests (tests kill it to simulate a crash). */
  get current(): SpawnedEngine {
    return this.engine;
  }

  /** Resolves when the current engine is ready (and has its document again after a restart). */
  whenReady(): Promise<void> {
    return this.starting;
  }

  protected transmit(body: AnyRequestBody): Promise<unknown> {
    return body.type === 'cancel' ? this.cancelRun() : this.send(body);
  }

  /** Stops the engine for good. */
  dispose(): void {
    this.generation++;
    this.dead = errorJson('EngineClosed', 'the engine connection is closed');
    this.client.close(this.dead);
    this.engine.terminate();
  }

  private async send(body: AnyRequestBody): Promise<unknown> {
    for (;;) {
      if (this.dead) throw new EngineRequestError(this.dead);
      const gen = this.generation;
      await this.starting.catch(() => undefined);
      if (gen !== this.generation) continue;
      const result = await this.client.request(body);
      if (body.type === 'load') this.lastDocument = (result as LoadResult).ok ? body.document : null;
      return result;
    }
  }

  /** `cancel`, restarting the engine if it does not acknowledge in time. */
  private async cancelRun(): Promise<CancelResult> {
    await this.starting.catch(() => undefined);
    if (this.client.inFlight === 0) return (await this.send({ type: 'cancel' })) as CancelResult;
    const gen = this.generation;
    const grace = this.options.cancelGraceMs ?? 50;
    let timer: unknown;
    const timeout = new Promise<'timeout'>((resolve) => (timer = timers.setTimeout(() => resolve('timeout'), grace)));
    const ack = this.client.request({ type: 'cancel' }).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const first = await Promise.race([ack, timeout]);
    timers.clearTimeout(timer);
    if (first !== 'timeout') {
      if ('error' in first) throw first.error;
      return first.value;
    }
    if (gen === this.generation) {
      this.restart(
        `cancel: the engine did not answer within ${grace} ms (busy inside one computation), so it was restarted`,
        errorJson(
          'Cancelled',
          'cancelled: the engine was stopped in the middle of a computation and restarted; the document was loaded again (the run state is lost)',
        ),
      );
    }
    return { cancelled: true, restarted: true };
  }

  private start(): void {
    const gen = ++this.generation;
    const engine = this.spawn();
    const client = new EngineClient(engine);
    this.engine = engine;
    this.client = client;
    client.on((e) => {
      if (gen === this.generation) this.emit(e);
    });
    engine.onExit((reason) => {
      if (gen !== this.generation) return;
      const message = `the engine stopped (${reason}); it was restarted and the document loaded again, but this request's work is lost`;
      this.restart(`the engine stopped: ${reason}`, errorJson('EngineRestarted', message));
    });
    const doc = this.lastDocument;
    this.starting = client.ready.then(async () => {
      if (!doc) return;
      const r = await client.load(doc);
      if (!r.ok) this.lastDocument = null;
    });
    this.starting.catch(() => undefined);
  }

  private restart(reason: string, pendingError: ErrorJson): void {
    this.generation++;
    const { engine, client } = this;
    client.close(pendingError);
    engine.terminate();
    const now = Date.now();
    const windowMs = this.options.restartWindowMs ?? 60_000;
    this.restarts = [...this.restarts.filter((t) => now - t < windowMs), now];
    if (this.restarts.length > (this.options.maxRestarts ?? 5)) {
      this.dead = errorJson(
        'EngineUnavailable',
        `the engine stopped ${this.restarts.length} times within ${windowMs} ms; last: ${reason}`,
      );
      return;
    }
    this.emit({ type: 'event', event: 'restarted', reason });
    this.start();
  }
}

/** Starts a supervised engine with `spawn` (see {@link SupervisedClient}). */
export function createSupervisedClient(spawn: () => SpawnedEngine, options?: SupervisorOptions): SupervisedClient {
  return new SupervisedClient(spawn, options);
}
