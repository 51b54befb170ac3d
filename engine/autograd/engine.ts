import { mapped, nulls } from '../core/arrays';
import { addGrads, validateGrad, type GradValue } from './grad-value';
import type { Edge, Node } from './node';
import { ReadyQueue } from './ready-queue';

/** What one step of the backward pass did. */
export interface BackwardStep {
  /** The function that ran. */
  readonly node: Node;
  /** The gradients that arrived at it, one per forward output. */
  readonly inputs: readonly (GradValue | null)[];
  /** The gradients it sent, one per next edge (null where none). */
  readonly outputs: readonly (GradValue | null)[];
}

/** Options of a backward run. */
export interface BackwardOptions {
  /** Keep saved tensors after the run (`retain_graph=True`). */
  readonly retainGraph?: boolean;
}

/**
 * One call of `.backward()`, executed one Node at a time as PyTorch's engine does
 * on the CPU: dependency counts from the root, an input buffer per pending node,
 * and a ready queue where the most recently created ready node runs first.
 */
export class BackwardRun {
  private readonly queue = new ReadyQueue();
  private readonly dependencies = new Map<Node, number>();
  private readonly notReady = new Map<Node, (GradValue | null)[]>();
  private readonly keepGraph: boolean;

  constructor(root: Edge, rootGrad: GradValue, options: BackwardOptions = {}) {
    this.keepGraph = options.retainGraph ?? false;
    this.computeDependencies(root.node);
    const buffer = nulls<GradValue>(root.node.inputMetadata.length);
    buffer[root.inputNr] = rootGrad;
    this.queue.push({ node: root.node, inputs: buffer });
  }

  /** True when no function is left to run. */
  get done(): boolean {
    return this.queue.size === 0;
  }

  /** Runs every remaining step; returns them in execution order. */
  runToEnd(onStep?: (s: BackwardStep) => void): BackwardStep[] {
    const steps: BackwardStep[] = [];
    while (!this.done) {
      const s = this.step();
      steps.push(s);
      onStep?.(s);
    }
    return steps;
  }

  /** Runs the next ready function (PyTorch's `evaluate_function`). */
  step(): BackwardStep {
    const task = this.queue.pop();
    const fn = task.node;
    // retain_grad hooks; see Note [retain_grad hook moves with grad_fn] (tensor.ts)
    for (const { inputNr, hook } of fn.preHooks) {
      const g = task.inputs[inputNr];
      if (g) hook(g);
    }
    const raw = fn.apply(task.inputs);
    // Arrays of one elements kind: Note [One elements kind per array site] (core/arrays.ts).
    const outputs = mapped(raw, (g, i) => {
      const edge = fn.nextEdges[i];
      if (!g || !edge) return null;
      return validateGrad(fn.name, i, g, edge.node.inputMetadata[edge.inputNr]!);
    });
    if (!this.keepGraph) fn.releaseVariables();
    for (let i = 0; i < outputs.length; i++) {
      const next = fn.nextEdges[i];
      if (!next) continue;
      const remaining = (this.dependencies.get(next.node) ?? 0) - 1;
      const ready = remaining === 0;
      if (ready) this.dependencies.delete(next.node);
      else this.dependencies.set(next.node, remaining);
      let buffer = this.notReady.get(next.node);
      if (!buffer) buffer = nulls<GradValue>(next.node.inputMetadata.length);
      else if (ready) this.notReady.delete(next.node);
      const g = outputs[i] ?? null;
      if (g) {
        const old = buffer[next.inputNr];
        buffer[next.inputNr] = old ? addGrads(old, g) : g;
      }
      if (ready)
        this.queue.push({ node: next.node, inputs: buffer }); // See Note [Ready queue tie order]
      else this.notReady.set(next.node, buffer);
    }
    return { node: fn, inputs: task.inputs, outputs };
  }

  /** Counts, for every node reachable from the root, how many edges lead to it. */
  private computeDependencies(root: Node): void {
    const stack: Node[] = [root];
    while (stack.length > 0) {
      const fn = stack.pop()!;
      for (const e of fn.nextEdges) {
        if (!e) continue;
        const count = this.dependencies.get(e.node);
        this.dependencies.set(e.node, (count ?? 0) + 1);
        if (count === undefined) stack.push(e.node); // first edge to it: not visited yet
      }
    }
  }
}
