import { classifyError, TorchError } from '../core/errors';
import { StorageNumbers } from '../core/storage';
import { allocFor } from '../core/dtype';
import { BackwardRun, type BackwardStep } from '../autograd/engine';
import { noGrad } from '../autograd/grad-mode';
import { AccumulateGrad, type Node } from '../autograd/node';
import { type Tensor } from '../tensor/tensor';
import type { Phase, RunErrorJson } from '../protocol/result';
import type { CompiledGraph } from './compile';
import type { GraphNode } from './document';
import type { LeafSetup } from '../ops/define';
import { outputName } from '../protocol/op-spec';
import { makeTensor } from './init';
import { createParams, withOwned, type Owned } from './ops';
import { ownGrad, ownTensor, SessionLeases } from './leases';
import { makeOptimizer } from './optimizer';

/** Where a session stands. */
export type SessionPhase = 'setup' | 'forward' | 'backward' | 'step' | 'update' | 'feedback' | 'finished';

/** A backward step with the graph node it belongs to. */
export interface TaggedStep extends BackwardStep {
  readonly gradFn: string;
  readonly tag: string | null;
}

/** Callbacks of a long run. */
export interface RunHooks {
  /** Called after each completed iteration. */
  onIteration?(iteration: number, of: number, loss: number | null): void;
  /** Polled between units of work; returning true stops the run. */
  shouldCancel?(): boolean;
}

/** The graph node a backward function belongs to. */
export function tagOf(node: Node): string | null {
  return node instanceof AccumulateGrad ? node.variable.name : node.tag;
}

/**
 * One execution of a graph document with the spec's iteration phases (setup,
 * forward, backward, update, feedback). It can run to the end or advance one
 * graph node / one grad_fn at a time; both paths share the same code.
 */
export class GraphSession {
  readonly graph: CompiledGraph;
  phase: SessionPhase = 'setup';
  iteration = 0;
  iterationsRun = 0;
  error: RunErrorJson | null = null;
  // Note [No Map.clear() per iteration]
  // ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
  // V8's Map.clear() allocates a new hash table and leaves a link to it in the
  // old one (for live iterators). The session lives long, so its Maps' tables
  // are in the old generation: the young table that clear() makes is then
  // referenced from an old (dead) one, which the young-generation collector
  // treats as alive. It and everything it holds (the iteration's tensors,
  // grad_fns, saved values) get promoted, and the next clear() links the next
  // one: every iteration's garbage reached the old generation and waited for a
  // full collection (W1: the old generation grew ~7 KB an iteration; with a new
  // Map per iteration, by the live data only). So per-iteration Maps are
  // replaced, not cleared (a delete/set churn would rehash, and link, the same way).
  private current = new Map<string, Tensor>();
  /** Outputs of the current iteration, by output name (the node id, or `<id>.<output>`: see outputName). */
  get outputs(): Map<string, Tensor> {
    return this.current;
  }
  /** Owned parameters (and buffers) by node id. */
  readonly params = new Map<string, Owned<Tensor>>();
  /** Steps of the last (or current) backward. */
  steps: TaggedStep[] = [];
  /** Loss (backward root value) of each completed iteration. */
  readonly losses: number[] = [];
  /** Warnings PyTorch would have printed. */
  readonly warnings: { message: string; node: string | null }[] = [];
  private cursor = 0;
  private backwardRun: BackwardRun | null = null;
  private readonly leaves = new Map<string, Tensor>();
  private fed = new Map<string, Tensor>();
  /**
   * What the last feedback phase handed to each Tensor node, by node id: the
   * tensor that node holds in the current iteration, even when its setup
   * raised on it. See Note [Fed-back tensors are reported apart].
   */
  get handedOver(): ReadonlyMap<string, Tensor> {
    return this.handed;
  }
  private handed = new Map<string, Tensor>();
  private currentNode: string | null = null;
  /** `run.optimizer`, made at the first setup, and the name of each tensor it updates. */
  optimizer: ReturnType<typeof makeOptimizer> = null;
  private readonly leases = new SessionLeases(this);
  /** Numbers the storages this session makes, as the canvas shows them (Note [Storage numbers]). */
  readonly storageNumbers = new StorageNumbers();

  constructor(graph: CompiledGraph) {
    this.graph = graph;
  }

  /**
   * Frees what the session holds in the fast kernels' memory. Call it when
   * the session is dropped before it finished (a finished session has
   * copied out and released everything already).
   */
  dispose(): void {
    this.leases.dispose();
  }

  /** True once the run finished or failed. */
  get finished(): boolean {
    return this.phase === 'finished';
  }

  /** Runs everything that is left (all remaining iterations). */
  run(hooks: RunHooks = {}): void {
    while (!this.finished) {
      if (hooks.shouldCancel?.()) return;
      const before = this.iterationsRun;
      this.advance();
      if (this.iterationsRun > before) {
        hooks.onIteration?.(
          this.iterationsRun,
          this.graph.doc.run.iterations,
          this.losses[this.losses.length - 1] ?? null,
        );
      }
    }
  }

  /**
   * Advances by one unit: the whole setup phase, one forward or update node, the
   * rest of the backward pass, or the feedback phase.
   */
  advance(): void {
    if (this.phase === 'setup') this.leases.nextIteration();
    this.storageNumbers.within(() => this.advanceWithin());
  }

  private advanceWithin(): void {
    this.leases.within(() => {
      switch (this.phase) {
        case 'setup':
          return this.guard('setup', () => this.setup());
        case 'forward':
          return this.guard('forward', () => this.forwardNode());
        case 'backward':
          return this.guard('backward', () => this.finishBackward());
        case 'step':
          return this.guard('update', () => this.optimizerStep());
        case 'update':
          return this.guard('update', () => this.updateNode());
        case 'feedback':
          return this.feedback();
        case 'finished':
          return;
      }
    });
  }

  /** Executes exactly one grad_fn (finishing the forward pass first if needed); null when none is left. */
  stepBackward(): TaggedStep | null {
    while (this.phase === 'setup' || this.phase === 'forward') this.advance();
    if (this.phase !== 'backward') return null;
    let step: TaggedStep | null = null;
    this.storageNumbers.within(() =>
      this.leases.within(() =>
        this.guard('backward', () => {
          this.startBackward();
          if (!this.backwardRun || this.backwardRun.done) {
            this.endBackward();
            return;
          }
          step = this.tagged(this.backwardRun.step());
          this.steps.push(step);
          if (this.backwardRun.done) this.endBackward();
        }),
      ),
    );
    return step;
  }

  /** True if the current backward pass has started and has steps left. */
  get backwardPending(): boolean {
    return this.phase === 'backward' && this.backwardRun !== null && !this.backwardRun.done;
  }

  /** The node being executed or last executed. */
  get node(): string | null {
    return this.currentNode;
  }

  private guard(phase: Phase, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      const { type, message } = classifyError(e);
      this.error = {
        type,
        message,
        node: this.currentNode,
        phase,
        iteration: this.iteration,
      };
      this.phase = 'finished';
      this.settle();
    }
  }

  /**
   * Copies out everything the session keeps that lives in the fast kernels'
   * memory (outputs, leaves, parameters, recorded backward steps) and
   * releases the kernel leases.
   */
  private settle(): void {
    // See Note [Lent kernel memory] (leases.ts): everything kept past the release is owned first.
    for (const t of this.outputs.values()) ownTensor(t);
    this.ownPersistent();
    this.steps = this.steps.map((st) => ({ ...st, inputs: st.inputs.map(ownGrad), outputs: st.outputs.map(ownGrad) }));
    this.leases.releaseAll();
  }

  /**
   * Copies out what lives across iterations (leaves, fed tensors, parameters
   * and buffers, and their `.grad`, which is lent: Note [Lent scratch]) if the kernels lent it.
   */
  private ownPersistent(): void {
    this.leaves.forEach(ownTensor);
    this.fed.forEach(ownTensor);
    this.params.forEach((p) => {
      ownTensor(p.weight);
      ownTensor(p.bias);
      p.buffers?.forEach(ownTensor);
    });
  }

  /** Releases the previous iteration's lease, after copying out what the session keeps of it. */
  private releasePrevious(): void {
    this.ownPersistent(); // a `.grad` kept without zero_grad: Note [Lent kernel memory] (leases.ts)
    this.leases.releaseOlder();
  }

  private setup(): void {
    const doc = this.graph.doc;
    this.current = new Map(); // See Note [No Map.clear() per iteration]
    if (doc.run.backward === null) this.releasePrevious(); // no backward steps to keep either
    if (this.iteration === 0) {
      for (const n of doc.nodes) {
        if (!n.impl.layer) continue;
        this.currentNode = n.id;
        this.params.set(n.id, createParams(n, this.graph.inputs.get(n.id)!));
      }
    }
    for (const n of doc.nodes) {
      if (!n.impl.leaf) continue;
      this.currentNode = n.id;
      const t = this.setupTensor(n, n.impl.leaf);
      this.outputs.set(n.id, t);
    }
    if (this.iteration === 0) this.optimizer = makeOptimizer(this.graph, this.params, this.leaves);
    if (doc.run.zeroGrad) {
      this.params.forEach((p) => {
        if (p.weight) p.weight.grad = null;
        if (p.bias) p.bias.grad = null;
      });
      for (const n of doc.nodes) {
        const t = this.outputs.get(n.id);
        if (n.impl.leaf && t && t.isLeaf) t.grad = null;
      }
    }
    this.currentNode = null;
    this.phase = 'forward';
    this.cursor = 0;
  }

  private setupTensor(n: GraphNode, leaf: LeafSetup): Tensor {
    let t = this.fed.get(n.id) ?? this.leaves.get(n.id);
    this.fed.delete(n.id);
    if (!t) {
      t = makeTensor(leaf.init, leaf.shape, leaf.dtype);
    }
    this.leaves.set(n.id, t);
    if (t.isLeaf) t.name = n.id;
    if (leaf.requiresGrad) t.setRequiresGrad(true);
    if (n.retainGrad) t.retainGrad();
    return t;
  }

  private forwardNode(): void {
    const list = this.graph.forward;
    while (this.cursor < list.length && list[this.cursor]!.impl.leaf) this.cursor++;
    if (this.cursor >= list.length) {
      this.currentNode = null;
      this.phase = 'backward';
      this.backwardRun = null;
      return;
    }
    this.execute(list[this.cursor++]!);
  }

  /** Executes one non-Tensor node and records its output. */
  private execute(n: GraphNode): void {
    this.currentNode = n.id;
    // forEach, not for-of: no [key, value] array per entry (this runs for every node of every iteration).
    const wired = this.graph.inputs.get(n.id)!;
    const inputs = new Map<string, Tensor>();
    wired.forEach((src, port) => inputs.set(port, this.current.get(src)!));
    const owned = this.params.get(n.id);
    const outs = n.impl.executeOutputs(
      {
        mode: this.graph.doc.run.mode,
        iteration: this.iteration,
        warn: (message) => this.warnings.push({ message, node: n.id }),
        sourceOf: (port) => wired.get(port)!,
      },
      owned ? withOwned(inputs, owned) : inputs,
    );
    outs.forEach((out, name) => {
      tagHistory(out, n.id);
      this.current.set(outputName(n.id, n.impl.spec, name), out);
    });
    // PyTorch computed the outputs before retain_grad() can raise, so the result reports them either way.
    if (n.retainGrad) for (const out of outs.values()) out.retainGrad();
  }

  private startBackward(): void {
    if (this.backwardRun) return;
    const rootId = this.graph.doc.run.backward;
    if (rootId === null) return;
    this.currentNode = rootId;
    const root = this.outputs.get(rootId)!;
    if (root.requiresGrad && root.numel !== 1) {
      throw new TorchError('RuntimeError', 'grad can be implicitly created only for scalar outputs');
    }
    if (!root.requiresGrad) {
      throw new TorchError('RuntimeError', 'element 0 of tensors does not require grad and does not have a grad_fn');
    }
    const ones = allocFor(root.dtype, 1).fill(1);
    this.steps = [];
    this.releasePrevious(); // nothing of the previous iteration is read any more (Note [Lent kernel memory])
    this.backwardRun = new BackwardRun(root.gradientEdge(), { data: ones, shape: root.shape, dtype: root.dtype });
  }

  private finishBackward(): void {
    this.startBackward();
    if (this.backwardRun) {
      const run = this.backwardRun;
      while (!run.done) {
        const s = this.tagged(run.step());
        this.steps.push(s);
      }
    }
    this.endBackward();
  }

  private endBackward(): void {
    const rootId = this.graph.doc.run.backward;
    const root = rootId ? this.outputs.get(rootId) : undefined;
    if (root && root.numel === 1) this.losses.push(root.item());
    this.currentNode = null;
    this.phase = this.optimizer ? 'step' : 'update';
    this.cursor = 0;
  }

  // Note [The optimizer step is not a step]
  // ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
  // `optimizer.step()` runs after backward and before the update phase, as a
  // phase of its own ('step') so running and stepping share it. It is not a
  // node of the graph and runs no grad_fn, so the protocol has no step kind for
  // it: the stepper runs it on the way (as it runs feedback), right after the
  // backward pass's last grad_fn. The app pulls the result after that step (as
  // after every backward pass), which has the changed parameters and `optimizer`.
  /** `optimizer.step()`, between backward and the update phase. */
  private optimizerStep(): void {
    this.optimizer?.optimizer.step();
    this.phase = 'update';
  }

  private tagged(s: BackwardStep): TaggedStep {
    // A literal of fixed shape: V8's object spread took ~4 µs per step here (W5: 0.1 ms an iteration).
    return { node: s.node, inputs: s.inputs, outputs: s.outputs, gradFn: s.node.name, tag: tagOf(s.node) };
  }

  private updateNode(): void {
    const list = this.graph.update;
    if (this.cursor >= list.length) {
      this.currentNode = null;
      this.phase = 'feedback';
      return;
    }
    const n = list[this.cursor++]!;
    if (this.graph.doc.run.updateNoGrad) noGrad(() => this.execute(n));
    else this.execute(n);
  }

  // Note [Fed-back tensors are reported apart]
  // ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
  // Feedback is Python's `delta = delta_next` before the loop body: from then on
  // the variable `delta` is delta_next's tensor, history and all. When the next
  // setup then raises on it (`delta.requires_grad_()` on a non-leaf: "you can
  // only change requires_grad flags of leaf variables."), the result JSON does
  // not list `delta` (PyTorch's runner never got past that line), yet the reason
  // for the error is exactly that tensor's is_leaf and grad_fn. So the session
  // keeps what each feedback handed over, and the host reports it beside the
  // result (`fed` of a run or step reply), never inside it.
  private feedback(): void {
    // Every fed tensor was taken by this iteration's setup: new Maps, see Note [No Map.clear() per iteration].
    this.handed = new Map();
    this.fed = new Map();
    for (const f of this.graph.doc.run.feedback) {
      const t = this.outputs.get(f.from)!;
      ownTensor(t); // it outlives this iteration's lease: see Note [Lent kernel memory] (leases.ts)
      this.fed.set(f.to, t);
      this.handed.set(f.to, t);
    }
    this.iterationsRun++;
    this.iteration++;
    this.backwardRun = null;
    this.phase = this.iteration >= this.graph.doc.run.iterations ? 'finished' : 'setup';
    if (this.phase === 'finished') this.settle();
  }
}

/** Attributes every not-yet-attributed grad_fn in `t`'s history to graph node `id`. */
export function tagHistory(t: Tensor, id: string): void {
  const stack: Node[] = t.gradFn ? [t.gradFn] : [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n instanceof AccumulateGrad || n.tag !== null) continue; // a tagged node was visited (or is older)
    n.tag = id;
    for (const e of n.nextEdges) if (e) stack.push(e.node);
  }
}
