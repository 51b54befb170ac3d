/**
 * The engine side of the protocol, free of any transport: it checks each
 * incoming message, dispatches it to the loaded graph's session and posts the
 * reply (and events) through the {@link HostEnv} its transport provides. It never
 * throws: a malformed or out-of-order message gets an error reply.
 *
 * Concurrency: `run` is asynchronous (it yields to the event loop every few
 * milliseconds so `cancel` can arrive); while it runs every other request but
 * `cancel` gets a `StateError` ("busy"). Steps are synchronous.
 */
import { MAX_GRAPH_ELEMENTS } from '../core/limits';
import { classifyError } from '../core/errors';
import type { CompiledGraph } from '../graph/compile';
import type { GraphNode } from '../graph/document';
import { load } from '../graph/index';
import { optimizerJson, reportedTensors } from '../graph/result';
import { GraphSession } from '../graph/session';
import { EngineRequestError, errorJson, transferablesOf } from '../protocol/codec';
import {
  PROTOCOL_VERSION,
  REQUEST_TYPES,
  type EngineEvent,
  type EngineMessage,
  type ErrorJson,
  type GraphDocumentJson,
  type LoadResult,
  type Request,
  type RequestType,
  type ResultOf,
  type RunSummary,
} from '../protocol/messages';
import { checkRequest } from '../protocol/validate';
import { kernelBackend } from '../kernels/fast/index';
import { edgeFlow } from './edge-flow';
import { inferPorts } from './ports';
import { runToEnd } from './run-loop';
import { stateError, Stepper } from './stepper';
import { fedSummaries, resultWire, tensorData, tensorSummaries } from './summaries';
import { accuraciesOf, evaluateResult, observeAccuracy, startEvaluation } from './training';

/** What a transport gives the host. */
export interface HostEnv {
  /** Sends a message to the client, transferring `transfer` where the transport can. */
  post(message: EngineMessage, transfer: ArrayBuffer[]): void;
  /** Resolves after the event loop had a turn (so incoming messages are delivered). */
  yieldToEvents(): Promise<void>;
  /** Milliseconds; defaults to `Date.now`. */
  now?(): number;
}

type Req<K extends RequestType> = Extract<Request, { type: K }>;

/** One engine: at most one loaded graph and its session. */
export class SessionHost {
  private readonly env: HostEnv;
  private loaded: { document: GraphDocumentJson; graph: CompiledGraph } | null = null;
  private stepper: Stepper | null = null;
  private running: { id: number; cancelled: boolean } | null = null;
  private warned = { session: null as GraphSession | null, count: 0 };

  constructor(env: HostEnv) {
    this.env = env;
  }

  /** Announces the engine (the `ready` event with the protocol version and the kernels in use). */
  start(): void {
    this.emit({ type: 'event', event: 'ready', protocol: PROTOCOL_VERSION, kernels: kernelBackend() });
  }

  /** Handles one incoming message. Never throws. */
  handle(raw: unknown): void {
    const c = checkRequest(raw);
    if (!c.ok) return this.post(c.id, requestTypeOf(raw), { ok: false, error: errorJson('ProtocolError', c.message) });
    const req = c.value;
    if (req.type === 'cancel') return this.cancel(req);
    if (this.running) {
      const e = stateError(`busy: a run is in progress (request ${this.running.id}); cancel it or wait for its reply`);
      return this.post(req.id, req.type, { ok: false, error: e.error });
    }
    if (req.type === 'run') {
      void this.run(req);
      return;
    }
    if (req.type === 'evaluate') {
      void this.evaluate(req);
      return;
    }
    try {
      this.post(req.id, req.type, { ok: true, result: this.dispatch(req) });
    } catch (e) {
      this.post(req.id, req.type, { ok: false, error: toErrorJson(e) });
    }
  }

  private dispatch(req: Exclude<Request, Req<'run'> | Req<'cancel'> | Req<'evaluate'>>): ResultOf[RequestType] {
    switch (req.type) {
      case 'load':
        return this.load(req.document);
      case 'stepForward': {
        const st = this.need();
        return this.withWarnings(st, () => st.forward());
      }
      case 'stepBackward': {
        const st = this.need();
        return this.withWarnings(st, () => st.backward());
      }
      case 'reset': {
        const graph = this.needLoaded().graph;
        this.setStepper(new Stepper(new GraphSession(graph)));
        return { phase: this.stepper!.phase };
      }
      case 'getTensor': {
        const s = this.need().session;
        // a Tensor node whose setup raised on a fed-back tensor still holds it: Note [Fed-back tensors are reported apart]
        const t = reportedTensors(s).get(req.name) ?? s.handedOver.get(req.name);
        if (!t) throw stateError(this.missing(req.name));
        const data = tensorData(req.name, req.which, t);
        if (!data) throw stateError(`${req.name}.grad is None (no gradient has reached it)`);
        return data;
      }
      case 'result':
        return resultWire(this.need().session);
    }
  }

  /** Replaces the stepper, freeing what the old session holds in the kernels' memory. */
  private setStepper(next: Stepper | null): void {
    if (this.stepper && this.stepper !== next) this.stepper.session.dispose();
    this.stepper = next;
  }

  private load(document: GraphDocumentJson): LoadResult {
    this.loaded = null;
    this.setStepper(null);
    const l = load(document);
    if (!l.ok) {
      // Shapes of the valid part, so the canvas keeps showing them while a graph is being built.
      const report = l.partial ? inferPorts(l.partial) : null;
      return {
        ok: false,
        issues: l.issues,
        ports: report?.ports ?? {},
        order: [],
        update: [],
        problems: report?.problems ?? [],
        elements: report?.elements ?? 0,
        budget: MAX_GRAPH_ELEMENTS,
      };
    }
    const { ports, problems, elements, budget } = inferPorts(l.graph, l.shapes);
    this.loaded = { document, graph: l.graph };
    this.setStepper(new Stepper(new GraphSession(l.graph)));
    return {
      ok: true,
      issues: [],
      ports,
      order: l.graph.forward.map((n) => n.id),
      update: l.graph.update.map((n) => n.id),
      problems,
      elements,
      budget,
    };
  }

  private async run(req: Req<'run'>): Promise<void> {
    this.running = { id: req.id, cancelled: false };
    const running = this.running;
    try {
      const stepper = this.prepareRun(req.iterations);
      const s = stepper.session;
      const finished = await runToEnd(s, {
        shouldCancel: () => running.cancelled,
        yieldToEvents: () => this.env.yieldToEvents(),
        now: () => this.now(),
        onUnit: () => {
          this.emitWarnings(s);
          observeAccuracy(s);
        },
        onProgress: (iteration, of, loss, elapsed_ms) => {
          const accuracy = accuraciesOf(s)?.at(-1);
          this.emit({
            type: 'event',
            event: 'progress',
            iteration,
            of,
            loss,
            elapsed_ms,
            ...(accuracy !== undefined ? { accuracy } : {}),
          });
        },
      });
      stepper.settle();
      if (!finished) {
        const where = `iteration ${s.iteration}, ${s.phase}`;
        const error: ErrorJson = {
          type: 'Cancelled',
          node: s.node,
          phase: s.phase,
          iteration: s.iteration,
          message: `run cancelled (${where}); the session stands where it stopped: step on, run to continue, or reset`,
        };
        this.post(req.id, 'run', { ok: false, error });
        return;
      }
      this.post(req.id, 'run', { ok: true, result: summary(s) });
    } catch (e) {
      this.post(req.id, 'run', { ok: false, error: toErrorJson(e) });
    } finally {
      this.running = null;
    }
  }

  /** `evaluate`: batch by batch, yielding between batches so `cancel` can stop it; the session is left as it was. */
  private async evaluate(req: Req<'evaluate'>): Promise<void> {
    this.running = { id: req.id, cancelled: false };
    const running = this.running;
    const start = this.now();
    let ev: ReturnType<typeof startEvaluation> | null = null;
    try {
      const loaded = this.needLoaded();
      ev = startEvaluation(loaded.document, loaded.graph, this.need().session, req.split ?? 'test');
      let lastYield = start;
      while (!ev.finished) {
        if (running.cancelled) {
          const error = errorJson('Cancelled', `evaluation cancelled (batch ${ev.done + 1} of ${ev.batches})`);
          return this.post(req.id, 'evaluate', { ok: false, error });
        }
        ev.next();
        if (this.now() - lastYield >= 8) {
          await this.env.yieldToEvents();
          lastYield = this.now();
        }
      }
      this.post(req.id, 'evaluate', { ok: true, result: evaluateResult(ev, this.now() - start) });
    } catch (e) {
      this.post(req.id, 'evaluate', { ok: false, error: toErrorJson(e) });
    } finally {
      ev?.dispose();
      this.running = null;
    }
  }

  /** The stepper a run continues: the current one, a fresh one when it finished, or one with other iterations. */
  private prepareRun(iterations: number | undefined): Stepper {
    const loaded = this.needLoaded();
    const current = this.stepper!;
    if (iterations !== undefined && iterations !== current.session.graph.doc.run.iterations) {
      const doc = { ...loaded.document, run: { ...((loaded.document.run as object | undefined) ?? {}), iterations } };
      const l = load(doc);
      if (!l.ok)
        throw new EngineRequestError(
          errorJson('DocumentError', l.issues.map((i) => `${i.path}: ${i.message}`).join('; ')),
        );
      this.setStepper(new Stepper(new GraphSession(l.graph)));
    } else if (current.phase === 'done') {
      this.setStepper(new Stepper(new GraphSession(current.session.graph)));
    }
    return this.stepper!;
  }

  private cancel(req: Req<'cancel'>): void {
    if (!this.running) {
      return this.post(req.id, 'cancel', {
        ok: false,
        error: stateError('nothing to cancel: no run is in progress').error,
      });
    }
    this.running.cancelled = true;
    this.post(req.id, 'cancel', { ok: true, result: { cancelled: true, restarted: false } });
  }

  private needLoaded(): { document: GraphDocumentJson; graph: CompiledGraph } {
    if (!this.loaded) throw stateError('no graph is loaded: send load(document) first');
    return this.loaded;
  }

  private need(): Stepper {
    this.needLoaded();
    return this.stepper!;
  }

  private missing(name: string): string {
    const g = this.needLoaded().graph;
    const owned = (n: GraphNode) => ['weight', 'bias', ...(n.impl.layer?.buffers ?? []).map((b) => b.name)];
    const known = g.doc.nodes.some((n) => n.id === name || owned(n).some((w) => name === `${n.id}.${w}`));
    return known
      ? `${name} has not been computed yet in this iteration (step forward or run first)`
      : `no tensor named ${JSON.stringify(name)} in the loaded graph`;
  }

  private withWarnings<T>(st: Stepper, fn: () => T): T {
    try {
      return fn();
    } finally {
      this.emitWarnings(st.session);
      observeAccuracy(st.session);
    }
  }

  /** Sends the session's warnings not sent yet. */
  private emitWarnings(s: GraphSession): void {
    if (this.warned.session !== s) this.warned = { session: s, count: 0 };
    for (; this.warned.count < s.warnings.length; this.warned.count++) {
      const w = s.warnings[this.warned.count]!;
      this.emit({ type: 'event', event: 'warning', message: w.message, node: w.node });
    }
  }

  private now(): number {
    return this.env.now ? this.env.now() : Date.now();
  }

  private emit(e: EngineEvent): void {
    this.env.post(e, []);
  }

  private post(
    id: number | null,
    request: RequestType | null,
    body: { ok: true; result: unknown } | { ok: false; error: ErrorJson },
  ): void {
    const msg = { type: 'response', id, request, ...body } as EngineMessage;
    try {
      this.env.post(msg, transferablesOf(msg));
    } catch (e) {
      const error = errorJson(
        'InternalError',
        `could not send the reply: ${e instanceof Error ? e.message : String(e)}`,
      );
      this.env.post({ type: 'response', id, request, ok: false, error }, []);
    }
  }
}

function summary(s: GraphSession): RunSummary {
  return {
    tensors: tensorSummaries(s),
    backward_steps: s.steps.map((st) => ({ grad_fn: st.gradFn, node: st.tag })),
    iterations_run: s.iterationsRun,
    error: s.error,
    edge_flow: edgeFlow(s),
    losses: [...s.losses],
    ...optimizerJson(s),
    accuracies: accuraciesOf(s),
    fed: fedSummaries(s),
  };
}

function requestTypeOf(raw: unknown): RequestType | null {
  const t = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  return (REQUEST_TYPES as readonly unknown[]).includes(t) ? (t as RequestType) : null;
}

/** Any thrown value as an error on the wire. */
export function toErrorJson(e: unknown): ErrorJson {
  if (e instanceof EngineRequestError) return e.error;
  const { type, message } = classifyError(e);
  return errorJson(type, message);
}
