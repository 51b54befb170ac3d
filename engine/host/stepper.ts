/**
 * Stepping a session the way the canvas does: `forward()` executes one graph
 * node (running setup and feedback on the way), `backward()` exactly one grad_fn
 * in PyTorch's engine order. Both report what ran; out-of-order steps throw an
 * {@link EngineRequestError} with type `StateError`.
 *
 * Invariant (kept by `settle`): between steps the session never waits in a
 * phase with nothing left to do, so `phase` always tells what the next step does.
 */
import { AccumulateGrad } from '../autograd/node';
import type { GraphNode } from '../graph/document';
import { reportedTensors } from '../graph/result';
import { tagOf, type GraphSession, type SessionPhase } from '../graph/session';
import type { Tensor } from '../tensor/tensor';
import { EngineRequestError, errorJson } from '../protocol/codec';
import type { BackwardStepResult, ForwardStepResult, Stats, StepPhase, TensorSummary } from '../protocol/messages';
import { fedSummaries, gradSummary, stats, tensorSummary } from './summaries';
import { dict } from '../protocol/dict';
import { edgeFlow } from './edge-flow';

/** An out-of-order request. */
export function stateError(message: string): EngineRequestError {
  return new EngineRequestError(errorJson('StateError', message));
}

interface LeafGrad {
  ref: Tensor | null;
  version: number;
  stats: Stats | null;
}

// Note [In-place writes re-report their storage]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// A step reports the tensor it produced. An in-place op (ReLU inplace, i.e.
// relu_) also changes every tensor that shares the storage it wrote: its input
// (which now *is* its output, grad_fn ReluBackward0) and a Detach of it, whose
// summaries were taken before the write. So a forward step re-summarises every
// reported tensor on the output's storage (`changed`): the canvas then shows
// the original's new values and flags, which is the point of the lesson.
function sharingStorage(s: GraphSession, node: string, t: Tensor): Record<string, TensorSummary> {
  const out = dict<TensorSummary>();
  for (const [name, other] of reportedTensors(s)) {
    if (name !== node && other.storage === t.storage) out[name] = tensorSummary(other, s);
  }
  return out;
}

/** Drives one GraphSession a step at a time. */
export class Stepper {
  readonly session: GraphSession;
  private readonly leafGrads = new Map<Tensor, LeafGrad>();

  constructor(session: GraphSession) {
    this.session = session;
    this.settle();
  }

  /** What the next step does. */
  get phase(): StepPhase {
    const s = this.session;
    if (s.finished) return 'done';
    return s.phase === 'backward' ? 'backward' : s.phase === 'update' ? 'update' : 'forward';
  }

  /** Executes the next forward or update node. */
  forward(): ForwardStepResult {
    const s = this.session;
    this.assertNotDone();
    if (this.phase === 'backward') {
      const what = s.backwardPending ? 'is in progress' : 'comes next';
      throw stateError(
        `the backward pass of iteration ${s.iteration} ${what}: step backward (stepBackward), or run to finish`,
      );
    }
    const setup = dict<TensorSummary>();
    let fed = dict<TensorSummary>();
    const iteration = s.iteration;
    if (s.phase === 'setup') {
      s.advance();
      for (const n of s.graph.doc.nodes) {
        const t = n.op === 'Tensor' ? s.outputs.get(n.id) : undefined;
        if (t) setup[n.id] = tensorSummary(t, s);
      }
      fed = fedSummaries(s);
      if (!s.error) this.settle();
      const now = s.phase as SessionPhase; // advance() moved it on
      if (s.error || (now !== 'forward' && now !== 'update')) {
        return {
          phase: this.phase,
          node: null,
          ran_in: null,
          iteration,
          grad_fn: null,
          tensor: null,
          setup,
          fed,
          error: s.error,
        };
      }
    }
    const ranIn = s.phase as 'forward' | 'update';
    s.advance();
    const node = s.error ? null : s.node;
    const t = node ? s.outputs.get(node) : undefined;
    const changed = node && t ? sharingStorage(s, node, t) : dict<TensorSummary>();
    if (!s.error) this.settle();
    return {
      phase: this.phase,
      node,
      ran_in: ranIn,
      iteration,
      grad_fn: t?.gradFnClass ?? null,
      tensor: t ? tensorSummary(t, s) : null,
      changed,
      setup,
      fed,
      error: s.error,
    };
  }

  /**
   * Executes exactly one grad_fn. If the forward pass is not complete, its
   * remaining nodes run first (listed in `forwarded`).
   */
  backward(): BackwardStepResult {
    const s = this.session;
    this.assertNotDone();
    const forwarded: string[] = [];
    const tensors = dict<TensorSummary>();
    while (this.phase === 'forward' || this.phase === 'update') {
      const r = this.forward();
      Object.assign(tensors, r.setup, r.node && r.tensor ? { [r.node]: r.tensor } : {}, r.changed);
      if (r.node) forwarded.push(r.node);
    }
    const iteration = s.iteration;
    const none = (): BackwardStepResult => ({
      index: -1,
      grad_fn: null,
      node: null,
      iteration,
      inputs: [],
      outputs: [],
      leaf: null,
      forwarded,
      tensors,
      edge_flow: edgeFlow(s),
      done: !s.backwardPending,
      phase: this.phase,
      error: s.error,
    });
    if (this.phase !== 'backward') return none();
    this.snapshotLeafGrads();
    const st = s.stepBackward();
    if (!st) {
      if (!s.error) this.settle();
      return none();
    }
    let leaf: BackwardStepResult['leaf'] = null;
    if (st.node instanceof AccumulateGrad) {
      const v = st.node.variable as Tensor;
      const before = this.leafGrads.get(v)?.stats ?? null;
      const after = this.recordLeafGrad(v).stats;
      if (after) leaf = { name: v.name ?? st.tag ?? '?', before, after };
    }
    const outputs = st.node.nextEdges.map((e, i) => ({
      to: e ? e.node.name : null,
      to_node: e ? tagOf(e.node) : null,
      grad: gradSummary(st.outputs[i]),
    }));
    const done = !s.backwardPending;
    if (!s.error) this.settle();
    return {
      index: s.steps.length - 1,
      grad_fn: st.gradFn,
      node: st.tag,
      iteration,
      inputs: st.inputs.map((g) => gradSummary(g)),
      outputs,
      leaf,
      forwarded,
      tensors,
      edge_flow: edgeFlow(s),
      done,
      phase: this.phase,
      error: s.error,
    };
  }

  private assertNotDone(): void {
    const s = this.session;
    if (this.phase !== 'done') return;
    const how = s.error
      ? ` (it stopped with ${s.error.type} at ${s.error.node ?? 'the graph'} in ${s.error.phase})`
      : '';
    throw stateError(`step past the end: the run is finished${how}; reset to step it again`);
  }

  /** Skips phases with nothing left to do (none of these transitions can raise); call after driving the session directly. */
  settle(): void {
    const s = this.session;
    const left = (list: readonly GraphNode[]) => list.some((n) => n.op !== 'Tensor' && !s.outputs.has(n.id));
    for (;;) {
      if (s.finished) return;
      if (s.phase === 'forward' && !left(s.graph.forward)) s.advance();
      else if (s.phase === 'backward' && s.graph.doc.run.backward === null) s.advance();
      else if (s.phase === 'update' && !left(s.graph.update)) s.advance();
      else if (s.phase === 'feedback' || s.phase === 'step')
        s.advance(); // See Note [The optimizer step is not a step]
      else return;
    }
  }

  /** Brings the cached `.grad` statistics of every leaf up to date (cheap: only changed grads). */
  private snapshotLeafGrads(): void {
    for (const t of reportedTensors(this.session).values()) {
      if (!t.isLeaf || !t.requiresGrad) continue;
      const c = this.leafGrads.get(t);
      if (!c || c.ref !== t.grad || c.version !== (t.grad?.storage.version ?? -1)) this.recordLeafGrad(t);
    }
  }

  private recordLeafGrad(t: Tensor): LeafGrad {
    const g = t.grad;
    const entry = { ref: g, version: g?.storage.version ?? -1, stats: g ? stats(g.contiguousData()) : null };
    this.leafGrads.set(t, entry);
    return entry;
  }
}
