import { allocFor, isFloatingPoint, type DType, type FloatArray } from '../core/dtype';
import { internalError, runtimeError } from '../core/errors';
import { checkBudget, contiguousStrides, isRowMajor, numel, type Shape } from '../core/shape';
import { Storage } from '../core/storage';
import { emptyLike } from '../kernels/fast/index';
import { gatherStrided, transpose2d } from '../kernels/slice';
import type { GradValue } from '../autograd/grad-value';
import { AccumulateGrad, FunctionNode, type Edge, type GradSink, type Node } from '../autograd/node';
import { asStridedBackward } from '../autograd/rules/as-strided';

/** PyTorch's two messages for assigning `requires_grad` on a non-leaf. */
export function requiresGradLeafError(requiresGrad: boolean): string {
  return requiresGrad
    ? 'you can only change requires_grad flags of leaf variables.'
    : 'you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a ' +
        "subgraph that doesn't require differentiation use var_no_grad = var.detach().";
}

/**
 * A tensor with PyTorch's autograd state: storage shared with its views and
 * detached copies, a grad_fn for results of differentiable ops, `.grad` for
 * leaves (written only by AccumulateGrad) and for non-leaves that retain it.
 */
export class Tensor implements GradSink {
  readonly storage: Storage;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  /** The Node that computed this tensor (see `gradFn`). */
  private fn: Node | null = null;
  /** The storage version when a view's grad_fn was last set. See Note [View + in-place]. */
  private viewVersion = 0;
  /** Which output of `gradFn` this tensor is. */
  outputNr = 0;
  /** `.grad`: null where PyTorch has None. */
  grad: Tensor | null = null;
  /** True after `retainGrad()` on a non-leaf. */
  retainsGrad = false;
  /** Name used in backward steps and results (`x`, `conv1.weight`). */
  name: string | null = null;
  /** The tensor this one is a view of (reshape, t, slice), if any. */
  readonly base: Tensor | null;
  private leafRequiresGrad = false;
  private retainHook: { node: Node; entry: { inputNr: number; hook: (g: GradValue) => void } } | null = null;
  private accumulator: AccumulateGrad | null = null;

  constructor(storage: Storage, shape: Shape, dtype: DType, strides?: readonly number[], offset = 0, base?: Tensor) {
    this.storage = storage;
    this.shape = [...shape];
    this.strides = strides ? [...strides] : contiguousStrides(shape);
    this.offset = offset;
    this.dtype = dtype;
    this.base = base ? (base.base ?? base) : null;
  }

  /** A new contiguous tensor over `data` (taken, not copied). */
  static fromData(data: FloatArray, shape: Shape, dtype: DType): Tensor {
    if (data.length !== numel(shape)) {
      throw internalError(`${data.length} values for shape [${shape.join(', ')}]`);
    }
    return new Tensor(new Storage(data), shape, dtype);
  }

  /** A zero-filled tensor (after checking the size budget). */
  static zeros(shape: Shape, dtype: DType = 'float32'): Tensor {
    checkBudget(shape);
    return Tensor.fromData(allocFor(dtype, numel(shape)), shape, dtype);
  }

  /** A tensor from a GradValue (gradients become tensors when stored in `.grad`). */
  static fromGrad(g: GradValue): Tensor {
    return Tensor.fromData(g.data, g.shape, g.dtype);
  }

  /** Number of elements. */
  get numel(): number {
    return numel(this.shape);
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /**
   * The Node that computed this tensor; null for leaves. Replaced by in-place ops,
   * and for a view whose storage an in-place op changed since, regenerated on access.
   *
   * Note [View + in-place]: a view (reshape, view, t, slice, squeeze, ...) shares its
   * base's storage and version counter. When the base, or another view of it, is
   * modified in place after the view was made, the view's recorded history no longer
   * describes its values. PyTorch 1.13 (`VariableHooks::grad_fn`) notices on the next
   * access of the view's grad_fn that the version moved since it was set, and replaces
   * it with a new `AsStridedBackward0` whose next edge is the base's gradient edge as
   * it is now (e.g. ReluBackward0 after `relu_`), so gradient flows through the
   * in-place op; a retain_grad hook moves to the new node. The new node takes its
   * sequence number at that access (an op's own grad_fn is created first and collects
   * its edges afterwards: see `record`). `requiresGrad` reads the field without
   * regenerating, as PyTorch's `requires_grad()` does. A view without a grad_fn is left
   * alone: where PyTorch would regenerate one (a view made under no_grad of a base that
   * requires grad) it raises "A view was created in no_grad mode ..." instead, which
   * this engine does not reproduce.
   */
  get gradFn(): Node | null {
    if (this.base !== null && this.storage.version !== this.viewVersion) this.regenerateViewGradFn(this.base);
    return this.fn;
  }

  set gradFn(node: Node | null) {
    this.fn = node;
    this.viewVersion = this.storage.version;
  }

  private regenerateViewGradFn(base: Tensor): void {
    if (this.fn === null) return;
    const saved = {
      baseShape: base.shape,
      baseStride: base.strides,
      baseOffset: base.offset,
      size: this.shape,
      stride: this.strides,
      storageOffset: this.offset,
    };
    const edge = base.requiresGrad ? base.gradientEdge() : null;
    this.gradFn = new FunctionNode('AsStridedBackward0', asStridedBackward, saved, [edge], [this]);
    this.outputNr = 0;
    this.installRetainHook(); // See Note [retain_grad hook moves with grad_fn]
  }

  /** True for tensors without a grad_fn (PyTorch's `is_leaf`). */
  get isLeaf(): boolean {
    return this.fn === null; // regenerating a view's grad_fn never makes or removes one
  }

  /** PyTorch's `requires_grad`. */
  get requiresGrad(): boolean {
    return this.fn !== null || this.leafRequiresGrad;
  }

  /** grad_fn's `name()`, or null: what error messages and backward steps say (`torch::autograd::CopySlices`). */
  get gradFnName(): string | null {
    return this.gradFn?.name ?? null;
  }

  /**
   * `type(t.grad_fn).__name__`, or null: what a tensor shows (`<CopySlices>`: name() without the
   * namespace). It names the grad_fn a stale view would get (Note [View + in-place]) without
   * making it: showing a tensor must not give a node a sequence number earlier than PyTorch
   * does, or the backward order of a stepped run would differ from a plain run.
   */
  get gradFnClass(): string | null {
    const stale = this.base !== null && this.fn !== null && this.storage.version !== this.viewVersion;
    const name = stale ? 'AsStridedBackward0' : (this.fn?.name ?? null);
    return name?.startsWith('torch::autograd::') ? name.slice('torch::autograd::'.length) : name;
  }

  /** `t.requires_grad = value`, with PyTorch's checks and messages. */
  setRequiresGrad(value: boolean): void {
    if (!this.isLeaf) throw runtimeError(requiresGradLeafError(value));
    if (value && !isFloatingPoint(this.dtype)) {
      throw runtimeError('only Tensors of floating point and complex dtype can require gradients');
    }
    this.leafRequiresGrad = value;
  }

  /** `t.retain_grad()`: keep the gradient of a non-leaf in `.grad`. */
  retainGrad(): void {
    if (!this.requiresGrad) throw runtimeError("can't retain_grad on Tensor that has requires_grad=False");
    if (this.isLeaf || this.retainsGrad) return;
    this.retainsGrad = true;
    this.installRetainHook();
  }

  /**
   * Registers the retain_grad hook on the current grad_fn, moving it there from
   * the previous one after an in-place op (as PyTorch 1.13 moves retains_grad hooks).
   *
   * Note [retain_grad hook moves with grad_fn]: retain_grad() is a pre-hook on
   * the tensor's grad_fn at input `outputNr`, so it sees the gradient summed
   * over every use of the tensor, before the function runs. An in-place op
   * (`relu_`) rebases the tensor's history on a new grad_fn; PyTorch 1.13
   * (`update_tensor_hooks_on_new_gradfn`) then moves the retains_grad hook from
   * the old function to the new one, so `.grad` is the gradient of the value
   * after the in-place op and the hook fires once, not once per function. So
   * every op that rebases a tensor's history that may retain grad must call
   * this again, and the old entry must be removed, not left behind. The hook
   * copies the gradient (`slice()`): `.grad` outlives the backward pass, and
   * the gradient it sees may be lent kernel memory or a buffer that is still
   * accumulated into (see Note [Lent kernel memory] in engine/graph/leases.ts).
   */
  installRetainHook(): void {
    if (!this.retainsGrad || !this.gradFn) return;
    if (this.retainHook) {
      const old = this.retainHook.node.preHooks;
      const i = old.indexOf(this.retainHook.entry);
      if (i >= 0) old.splice(i, 1);
    }
    const entry = {
      inputNr: this.outputNr,
      hook: (g: GradValue) => {
        if (this.grad === null) this.grad = Tensor.fromGrad({ data: g.data.slice(), shape: g.shape, dtype: g.dtype });
        else this.grad = Tensor.fromData(addArrays(this.grad.contiguousData(), g.data), this.shape, this.dtype);
      },
    };
    this.gradFn.preHooks.push(entry);
    this.retainHook = { node: this.gradFn, entry };
  }

  /** The edge along which this tensor's gradient flows (PyTorch's `gradient_edge`). */
  gradientEdge(): Edge {
    if (this.gradFn) return { node: this.gradFn, inputNr: this.outputNr };
    return { node: this.gradAccumulator(), inputNr: 0 };
  }

  /** The AccumulateGrad sink of a leaf that requires grad, created once. */
  gradAccumulator(): AccumulateGrad {
    if (!this.leafRequiresGrad || this.gradFn) throw internalError('grad accumulator of a non-leaf');
    this.accumulator ??= new AccumulateGrad(this);
    return this.accumulator;
  }

  /** AccumulateGrad's write: sets `.grad`, or adds in place (bumping its version). */
  accumulateGrad(g: GradValue): void {
    if (this.grad === null) {
      // A copy, so that changing `.grad` in place leaves the recorded backward step as it was. In a
      // session it is lent (Note [Lent scratch]); the session copies out a `.grad` kept past the
      // iteration's lease (Note [Lent kernel memory], engine/graph/leases.ts).
      const data = emptyLike(g.data, g.data.length);
      data.set(g.data);
      this.grad = Tensor.fromData(data, this.shape, this.dtype);
    } else {
      const d = this.grad.storage.data;
      for (let i = 0; i < d.length; i++) d[i] = d[i]! + g.data[i]!;
      this.grad.storage.bumpVersion();
    }
  }

  /** True if the elements are laid out row-major from `offset` with no gaps. */
  get isContiguous(): boolean {
    return isRowMajor(this.shape, this.strides);
  }

  /**
   * The values in row-major order. Aliases the storage when the layout allows it
   * (do not write into the result); copies otherwise.
   */
  contiguousData(): FloatArray {
    const n = this.numel;
    const data = this.storage.data;
    if (this.isContiguous) {
      return this.offset === 0 && n === data.length ? data : data.subarray(this.offset, this.offset + n);
    }
    if (this.ndim === 2 && this.strides[0] === 1 && this.strides[1] === this.shape[0]) {
      // A transposed matrix (weight.t() inside Linear): one cache-friendly transpose.
      const [rows, cols] = this.shape as [number, number];
      return transpose2d(data.subarray(this.offset, this.offset + n), cols, rows);
    }
    return gatherStrided(data, this.offset, this.shape, this.strides, allocFor(this.dtype, n));
  }

  /** A copy of the values as plain numbers. */
  toArray(): number[] {
    return Array.from(this.contiguousData());
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.numel !== 1) {
      throw runtimeError(`a Tensor with ${this.numel} elements cannot be converted to Scalar`);
    }
    return this.storage.data[this.offset]!;
  }

  /** `t.detach()`: shares storage (and version counter), is a leaf, requires no grad. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.dtype, this.strides, this.offset);
  }
}

function addArrays(a: FloatArray, b: FloatArray): FloatArray {
  const out = a.slice();
  for (let i = 0; i < out.length; i++) out[i] = out[i]! + b[i]!;
  return out;
}
