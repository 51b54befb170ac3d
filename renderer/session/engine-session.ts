/**
 * The glue between the store and the engine: loads the document into the
 * engine whenever its meaning changes (debounced), runs, steps, resets and
 * cancels, and folds every answer into the store. All engine I/O lives here.
 */
import { toJson } from '../document/serialize';
import type { GraphDocument } from '../document/types';
import type { EngineConnection } from '../../engine/protocol/client';
import { EngineRequestError } from '../../engine/protocol/codec';
import type { ErrorJson, EvaluateResult, ResultOf, TensorData, TensorSummary } from '../../engine/protocol/messages';
import {
  BUFFERS,
  canStep,
  resetResults,
  stoppedPhase,
  withBackwardStep,
  withCancelledRun,
  withForwardStep,
  toSummaries,
  withBuffers,
  withRunSummary,
} from '../state/engine-state';
import { dict } from '../../engine/protocol/dict';
import type { Studio } from '../state/store';

/** The parts of a document the engine cares about (not positions, labels or view). */
export function semanticKey(doc: GraphDocument): string {
  return JSON.stringify([
    doc.nodes.map((n) => [n.id, n.op, n.params, n.retain_grad ?? false]),
    doc.edges.map((e) => [e.source, e.sourceHandle, e.target, e.targetHandle]),
    doc.run ?? null,
  ]);
}

/** A `result` reply as the run summary the slice folds in. */
const summaryOf = (res: ResultOf['result']) => ({
  tensors: res.tensors as Record<string, unknown>,
  backward_steps: res.backward_steps,
  error: res.error,
  iterations_run: res.iterations_run,
  ...(res.optimizer ? { optimizer: res.optimizer } : {}),
});

const asErrorJson = (e: unknown): ErrorJson =>
  e instanceof EngineRequestError
    ? e.error
    : { type: 'Error', message: (e as Error)?.message ?? String(e), node: null, phase: null, iteration: null };

/** One engine session per window. */
export class EngineSession {
  private loadedKey: string | null = null;
  private loading: Promise<ResultOf['load']> | null = null;
  private loadingKey: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastKey: string;
  /** Cancel was pressed since the run or step started (it may still be waiting for its load). */
  private cancelled = false;
  private readonly unsub: (() => void)[] = [];

  private clientUnsub: (() => void)[] = [];

  constructor(
    private readonly studio: Studio,
    private client: EngineConnection,
    private readonly debounceMs = 150,
  ) {
    this.lastKey = semanticKey(studio.doc);
    this.unsub.push(
      studio.store.subscribe((s, prev) => {
        if (s.doc === prev.doc) return;
        const key = semanticKey(s.doc);
        if (key === this.lastKey) return;
        this.lastKey = key;
        this.studio.setEngine(resetResults);
        this.scheduleLoad();
      }),
    );
    this.attach(client);
    this.scheduleLoad(0);
  }

  /**
   * Switches to a new engine connection (the desktop app's engine process was
   * restarted and handed over a new port): the document is loaded there again.
   */
  replaceClient(client: EngineConnection): void {
    for (const u of this.clientUnsub) u();
    this.client.dispose();
    this.client = client;
    this.loadedKey = null;
    this.loading = null;
    this.attach(client);
    this.scheduleLoad(0);
  }

  private attach(client: EngineConnection): void {
    this.clientUnsub = [
      client.on('ready', (r) => this.studio.setEngine((e) => ({ ...e, kernels: r.kernels ?? null }))),
      client.on('progress', (p) => {
        this.studio.setEngine((e) => ({
          ...e,
          progress: { iteration: p.iteration, of: p.of, loss: p.loss, accuracy: p.accuracy, elapsed_ms: p.elapsed_ms },
          losses: p.loss === null ? e.losses : [...e.losses.slice(0, p.iteration - 1), p.loss],
          accuracies: p.accuracy === undefined ? e.accuracies : [...e.accuracies.slice(0, p.iteration - 1), p.accuracy],
        }));
      }),
      client.on('warning', (w) => {
        this.studio.setEngine((e) => ({
          ...e,
          warnings: [...e.warnings.slice(-19), { message: w.message, node: w.node }],
        }));
      }),
      client.on('restarted', (r) => {
        this.loadedKey = null;
        this.studio.setEngine((e) => ({
          ...resetResults(e),
          status: 'error',
          error: { type: 'EngineRestarted', message: r.reason, node: null, phase: null, iteration: null },
        }));
      }),
    ];
  }

  private scheduleLoad(ms = this.debounceMs): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ensureLoaded().catch(() => undefined);
    }, ms);
  }

  /** Loads the current document if the engine does not have it yet; resolves with the load answer. */
  async ensureLoaded(): Promise<ResultOf['load']> {
    const key = semanticKey(this.studio.doc);
    const have = this.studio.state.engine.load;
    if (key === this.loadedKey && have) return have;
    if (this.loading && this.loadingKey === key) return this.loading;
    this.loadingKey = key;
    const p = this.client.request({ type: 'load', document: toJson(this.studio.doc) });
    this.loading = p;
    try {
      const load = await p;
      if (semanticKey(this.studio.doc) === key) {
        this.loadedKey = key;
        this.studio.setEngine((e) => ({ ...e, available: true, load }));
      }
      return load;
    } catch (err) {
      const error = asErrorJson(err);
      this.studio.setEngine((e) => ({ ...e, available: error.type !== 'EngineUnavailable', load: null }));
      throw err;
    } finally {
      if (this.loading === p) this.loading = null;
    }
  }

  private async guarded<T>(fn: () => Promise<T>): Promise<T | null> {
    this.cancelled = false;
    try {
      const load = await this.ensureLoaded();
      if (this.cancelled) {
        const message = 'cancelled before the run started (while the document was loading); the document is unchanged';
        this.studio.setEngine((e) => ({
          ...e,
          status: 'error',
          error: { type: 'Cancelled', message, node: null, phase: null, iteration: null },
          progress: null,
        }));
        return null;
      }
      if (!load.ok) {
        const first = load.issues[0];
        this.studio.setEngine((e) => ({
          ...e,
          status: 'error',
          active: first?.node ?? null,
          error: {
            type: 'DocumentError',
            message: first ? `${first.path}: ${first.message}` : 'the document is not valid',
            node: first?.node ?? null,
            phase: null,
            iteration: null,
          },
        }));
        return null;
      }
      return await fn();
    } catch (err) {
      const error = asErrorJson(err);
      this.studio.setEngine((e) => ({ ...e, status: 'error', error, active: error.node, progress: null }));
      return null;
    }
  }

  /** Runs the whole document (all its iterations, or `iterations`). */
  async run(iterations?: number): Promise<void> {
    this.studio.setEngine((e) => ({ ...resetResults(e), status: 'running' }));
    await this.guarded(async () => {
      const r = await this.client.request({ type: 'run', ...(iterations !== undefined ? { iterations } : {}) });
      this.studio.setEngine((e) => withRunSummary(e, r));
    });
    const stopped = this.studio.state.engine.error;
    if (stopped && stoppedPhase(stopped)) await this.syncCancelled(stopped);
  }

  /** After Cancel: the tensors of where the run stopped (Note [A cancelled run stands where it stopped]). */
  private async syncCancelled(error: ErrorJson): Promise<void> {
    try {
      const res = await this.client.request({ type: 'result' });
      this.studio.setEngine((e) => withCancelledRun(e, summaryOf(res), error));
    } catch {
      this.studio.setEngine((e) => withCancelledRun(e, {}, error));
    }
  }

  /** Executes the next forward node. */
  async stepForward(): Promise<void> {
    if (!canStep(this.studio.state.engine, 'forward')) return; // Note [Steps past the end do nothing]
    this.studio.setEngine((e) => ({ ...e, status: 'running' }));
    await this.guarded(async () => {
      const r = await this.client.request({ type: 'stepForward' });
      const buffers = await this.buffersOf(r.node ? [r.node] : []);
      this.studio.setEngine((e) => withBuffers(withForwardStep(e, r), buffers));
    });
  }

  /** Executes one grad_fn (the engine runs the forward pass first when needed). */
  async stepBackward(): Promise<void> {
    if (!canStep(this.studio.state.engine, 'backward')) return;
    this.studio.setEngine((e) => ({ ...e, status: 'running' }));
    await this.guarded(async () => {
      const r = await this.client.request({ type: 'stepBackward' });
      const buffers = await this.buffersOf(r.forwarded);
      this.studio.setEngine((e) => withBuffers(withBackwardStep(e, r), buffers));
      if (r.done && !r.error) await this.syncResult();
    });
  }

  /**
   * The buffers of the BatchNorm2d nodes among `nodes`, just forwarded. Note
   * [Buffers change in the forward pass]: in train mode each BatchNorm2d
   * forward updates running_mean, running_var and num_batches_tracked, but a
   * step reports only the node's output; without this the inspector would show
   * the values of the previous iteration's end while stepping.
   */
  private async buffersOf(nodes: readonly string[]): Promise<Record<string, TensorSummary>> {
    const owners = new Set(this.studio.state.doc.nodes.filter((n) => n.op === 'BatchNorm2d').map((n) => n.id));
    const names = nodes.filter((n) => owners.has(n)).flatMap((n) => BUFFERS.map((b) => `${n}.${b}`));
    const got = await Promise.all(
      names.map((name) => this.client.request({ type: 'getTensor', name, which: 'value' }).catch(() => null)),
    );
    const tensors = dict<unknown>();
    for (const t of got) if (t) tensors[t.name] = { shape: t.shape, dtype: t.dtype, data: t.data, is_leaf: true };
    return toSummaries(tensors);
  }

  /** Pulls the full result (after stepping reached the end) so every flag matches the engine. */
  private async syncResult(): Promise<void> {
    try {
      const res = await this.client.request({ type: 'result' });
      this.studio.setEngine((e) => ({
        ...withRunSummary(e, summaryOf(res)),
        stepResults: e.stepResults,
        active: e.active,
        // the end of one backward pass; the run goes on while iterations are left
        phase: e.phase,
        status: e.status,
        iteration: e.iteration,
        forwardExecuted: e.forwardExecuted,
      }));
    } catch {
      /* the step results already carry what the canvas needs */
    }
  }

  /** Back to before the first iteration. */
  async reset(): Promise<void> {
    this.studio.setEngine(resetResults);
    try {
      await this.client.request({ type: 'reset' });
    } catch (err) {
      const error = asErrorJson(err);
      if (error.type !== 'EngineUnavailable') this.studio.setEngine((e) => ({ ...e, status: 'error', error }));
    }
  }

  /**
   * Cancels what is running: a run between two units at once; a load, or a run
   * inside one long kernel, by the web engine's restart (engine/host/web/supervised.ts).
   */
  async cancel(): Promise<void> {
    this.cancelled = true;
    try {
      await this.client.request({ type: 'cancel' });
    } catch {
      /* nothing to cancel */
    }
  }

  /**
   * Classifies the Dataset node's whole test split with the parameters trained so far (the
   * engine's `evaluate`: no_grad, eval mode); the run stays where it is. Cancel stops it.
   */
  async evaluate(): Promise<EvaluateResult> {
    await this.ensureLoaded();
    const status = this.studio.state.engine.status;
    this.studio.setEngine((e) => ({ ...e, status: 'running' }));
    try {
      return await this.client.request({ type: 'evaluate' });
    } finally {
      this.studio.setEngine((e) => ({ ...e, status: e.status === 'running' ? status : e.status }));
    }
  }

  /** Fetches a tensor's values or grad for the viewer. */
  getTensor(name: string, which: 'value' | 'grad'): Promise<TensorData> {
    return this.client.request({ type: 'getTensor', name, which });
  }

  /** Stops listening. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const u of [...this.unsub, ...this.clientUnsub]) u();
  }
}
