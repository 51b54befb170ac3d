import { mapped, nulls } from '../core/arrays';
import type { DType } from '../core/dtype';
import type { Shape } from '../core/shape';
import type { GradValue, InputMetadata } from './grad-value';
import { SavedVariable } from './saved';

/**
 * Sequence numbers order Nodes by creation; among ready Nodes the engine runs the
 * highest first (PyTorch's `sequence_nr`). AccumulateGrad uses +Infinity
 * (PyTorch's UINT64_MAX), so a leaf's gradient is written as soon as it is complete.
 */
let nextSequenceNr = 0;

/** Takes the next sequence number. */
export function takeSequenceNr(): number {
  return nextSequenceNr++;
}

/** Where a gradient goes: input `inputNr` of `node` (PyTorch's `Edge`). */
export interface Edge {
  readonly node: Node;
  readonly inputNr: number;
}

/** A hook run on the gradient arriving at input `inputNr` before the node runs (retain_grad). */
export type PreHook = (grad: GradValue) => void;

/**
 * A function of the backward graph (PyTorch's `torch::autograd::Node`): it takes
 * the gradients of its forward outputs and returns one gradient per next edge.
 */
export abstract class Node {
  /** PyTorch's class name (`MulBackward0`, `AccumulateGrad`). */
  abstract readonly name: string;
  /** Creation order; higher runs first among ready nodes. */
  readonly sequenceNr: number;
  /** One edge per forward input; null where that input needs no gradient. */
  readonly nextEdges: readonly (Edge | null)[];
  /** Shape and dtype of each forward output, i.e. of each gradient this node receives. */
  readonly inputMetadata: readonly InputMetadata[];
  /** The graph node (document id or parameter name) this function belongs to. */
  tag: string | null = null;
  /** retain_grad hooks by input number. */
  readonly preHooks: { inputNr: number; hook: PreHook }[] = [];

  constructor(sequenceNr: number, nextEdges: readonly (Edge | null)[], inputMetadata: readonly InputMetadata[]) {
    this.sequenceNr = sequenceNr;
    this.nextEdges = nextEdges;
    this.inputMetadata = inputMetadata;
  }

  /** Computes the gradients to send along `nextEdges`. */
  abstract apply(grads: readonly (GradValue | null)[]): (GradValue | null)[];

  /** Frees saved tensors (called after the node ran, unless retain_graph). */
  releaseVariables(): void {}
}

/**
 * A gradient formula: one entry of the table of gradient rules. `needs[i]` tells
 * whether input i needs a gradient (PyTorch's `should_compute_output`).
 */
export interface GradRule<S> {
  backward(saved: S, grads: readonly (GradValue | null)[], needs: readonly boolean[]): (GradValue | null)[];
}

/** A Node whose gradient comes from a rule of the table, with the values it saved. */
export class FunctionNode<S> extends Node {
  readonly name: string;
  private readonly rule: GradRule<S>;
  private readonly saved: S;
  private savedList: readonly SavedVariable[] | null = null;
  /** Which inputs need a gradient (`should_compute_output`), from the edges, which never change. */
  private needs: readonly boolean[] | null = null;

  constructor(
    name: string,
    rule: GradRule<S>,
    saved: S,
    nextEdges: readonly (Edge | null)[],
    outputs: readonly { shape: Shape; dtype: DType }[],
    sequenceNr = takeSequenceNr(),
  ) {
    super(
      sequenceNr,
      nextEdges,
      mapped(outputs, (o) => ({ shape: [...o.shape], dtype: o.dtype })),
    );
    this.name = name;
    this.rule = rule;
    this.saved = saved;
  }

  apply(grads: readonly (GradValue | null)[]): (GradValue | null)[] {
    const vars = this.savedVariables();
    for (let i = 0; i < vars.length; i++) vars[i]!.unpack();
    if (grads.every((g) => g === null)) return nulls(this.nextEdges.length);
    return this.rule.backward(this.saved, grads, (this.needs ??= mapped(this.nextEdges, (e) => e !== null)));
  }

  releaseVariables(): void {
    const vars = this.savedVariables();
    for (let i = 0; i < vars.length; i++) vars[i]!.release();
  }

  /** The node's SavedVariables, listed once (the saved state object is never changed after recording). */
  private savedVariables(): readonly SavedVariable[] {
    return (this.savedList ??= savedVariables(this.saved));
  }
}

/**
 * The SavedVariables of a node's saved state, in declaration order.
 *
 * Note [Saved variables are unpacked first]: PyTorch 1.13's generated `apply()`
 * unpacks every SavedVariable the node holds, in the order its struct declares
 * them (torch/csrc/autograd/generated/Functions.h), before it looks at the
 * gradients or at which inputs need one. So an in-place change to any saved
 * tensor raises even when no gradient needs it (ConvolutionBackward0 unpacks
 * input and weight when only the bias needs a gradient), and when several were
 * changed the first declared one is named. What is saved can depend on which
 * inputs required grad in the forward (MulBackward0 saves `other` only if `self`
 * requires grad): the ops save null then. The saved state objects list their
 * SavedVariables in PyTorch's order.
 */
function savedVariables(saved: unknown): SavedVariable[] {
  const out: SavedVariable[] = []; // Note [One elements kind per array site] (core/arrays.ts)
  if (saved === null || typeof saved !== 'object') return out;
  for (const v of Object.values(saved)) if (v instanceof SavedVariable) out.push(v);
  return out;
}

/** What AccumulateGrad writes into: a leaf tensor. */
export interface GradSink {
  readonly shape: Shape;
  readonly dtype: DType;
  /** Name shown in backward steps (`x`, `conv1.weight`). */
  readonly name: string | null;
  /** Sets `.grad` the first time, adds to it in place afterwards. */
  accumulateGrad(grad: GradValue): void;
}

/** The sink of a leaf that requires grad: the only writer of `.grad` (PyTorch's `AccumulateGrad`). */
export class AccumulateGrad extends Node {
  readonly name = 'AccumulateGrad';
  readonly variable: GradSink;

  constructor(variable: GradSink) {
    // Every AccumulateGrad ties with every other: see Note [Ready queue tie order] (ready-queue.ts).
    super(Number.POSITIVE_INFINITY, [], [{ shape: [...variable.shape], dtype: variable.dtype }]);
    this.variable = variable;
    this.tag = variable.name;
  }

  apply(grads: readonly (GradValue | null)[]): (GradValue | null)[] {
    const g = grads[0];
    if (g) this.variable.accumulateGrad(g);
    return [];
  }
}
