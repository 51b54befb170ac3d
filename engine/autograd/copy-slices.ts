import { nulls } from '../core/arrays';
import { allocLike, type DType, type FloatArray } from '../core/dtype';
import { runtimeError } from '../core/errors';
import { isRowMajor, type Shape } from '../core/shape';
import { gatherStrided, scatterStrided } from '../kernels/slice';
import type { GradValue } from './grad-value';
import { Node, takeSequenceNr, type Edge } from './node';
import { ERR_BACKWARD_TWICE } from './saved';

/**
 * Where a view sits in its base: the base fills its storage from `baseOffset` with `baseStride`
 * (row-major, or dense in another order after a Clone: Note [Clone keeps the layout],
 * engine/tensor/ops/view.ts); the view is strided.
 */
export interface ViewGeometry {
  readonly baseShape: Shape;
  readonly baseStride: readonly number[];
  readonly baseOffset: number;
  readonly dtype: DType;
  readonly size: Shape;
  readonly stride: readonly number[];
  readonly storageOffset: number;
}

/**
 * PyTorch's `CopySlices`: the base's grad_fn after an in-place op on one of its
 * views (`v = b.view(6); v.relu_()`).
 *
 * Note [In-place on a view]: the op's own grad_fn (`fn`, ReluBackward0) is
 * built as for any in-place op, from the view's history, but it is not put in
 * the graph. PyTorch's `rebase_history` wraps it: the base's grad_fn becomes
 * CopySlices, whose first next edge is the base's previous history (so the
 * view's old grad_fn, which `fn` pointed at, drops out) and whose others are
 * `fn`'s. Then the view's grad_fn is regenerated from the base's new history
 * (AsStridedBackward0 -> CopySlices, Note [View + in-place] in
 * engine/tensor/tensor.ts). In backward, CopySlices takes the base's gradient,
 * runs `fn` directly on the part the view covers (no hooks, no step of its own:
 * the backward steps show AsStridedBackward0 and CopySlices), writes `fn`'s
 * first result back there and passes the whole on. Sequence numbers, in
 * creation order: `fn`, the view's grad_fn if it was stale when `fn` collected
 * its edge, CopySlices, the regenerated view grad_fn. A retain_grad hook of
 * the base stays on its previous grad_fn (PyTorch 1.13 moves only the view's),
 * so the base's `.grad` is the gradient of its values before the in-place op.
 * Releasing CopySlices drops `fn` (a second backward raises PyTorch's "backward
 * through the graph a second time" message).
 */
export class CopySlices extends Node {
  readonly name = 'torch::autograd::CopySlices';
  /** Set by `wrap` right after construction; null again once released. */
  private fn: Node | null = null;
  private readonly view: ViewGeometry;

  /** `fnEdges`: the next edges of the op's grad_fn, which `wrap` gives once the view's grad_fn is regenerated. */
  constructor(view: ViewGeometry, baseEdge: Edge | null, fnEdges: readonly (Edge | null)[]) {
    super(takeSequenceNr(), [baseEdge, ...fnEdges.slice(1)], [{ shape: [...view.baseShape], dtype: view.dtype }]);
    this.view = view;
  }

  /** The op's grad_fn, whose saved result PyTorch assigns after `rebase_history`. */
  wrap(fn: Node): void {
    this.fn = fn;
  }

  apply(grads: readonly (GradValue | null)[]): (GradValue | null)[] {
    const g = grads[0];
    if (!g) return nulls<GradValue>(this.nextEdges.length);
    if (this.fn === null) throw runtimeError(ERR_BACKWARD_TWICE);
    const v = this.view;
    const result = toStorageOrder(g.data, v.baseShape, v.baseStride); // the base's gradient, written into below
    const at = v.storageOffset - v.baseOffset;
    const slice = gatherStrided(result, at, v.size, v.stride);
    const res = this.fn.apply([{ data: slice, shape: v.size, dtype: g.dtype }]);
    const out = nulls<GradValue>(this.nextEdges.length);
    for (let i = 0; i < out.length; i++) {
      if (this.nextEdges[i] === null) continue;
      if (i === 0) {
        scatterStrided(result, at, v.size, v.stride, res[0]!.data);
        out[0] = { data: fromStorageOrder(result, v.baseShape, v.baseStride), shape: v.baseShape, dtype: g.dtype };
      } else out[i] = res[i] ?? null;
    }
    return out;
  }

  releaseVariables(): void {
    this.fn?.releaseVariables();
    this.fn = null;
  }
}

/**
 * A base's gradient (row-major) laid out as the base sits in its storage, so a view's strides
 * address it (PyTorch's `grad.new_empty_strided(base.sizes(), base.strides()).copy_(grad)`).
 * A new array; for a row-major base, a copy.
 */
export function toStorageOrder(g: FloatArray, shape: Shape, stride: readonly number[]): FloatArray {
  if (isRowMajor(shape, stride)) return g.slice();
  const out = allocLike(g, g.length);
  scatterStrided(out, 0, shape, stride, g);
  return out;
}

/** The inverse of {@link toStorageOrder}: row-major again (`d` itself for a row-major base). */
export function fromStorageOrder(d: FloatArray, shape: Shape, stride: readonly number[]): FloatArray {
  return isRowMajor(shape, stride) ? d : gatherStrided(d, 0, shape, stride);
}
