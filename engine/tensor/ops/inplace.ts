import type { FloatArray } from '../../core/dtype';
import { internalError, runtimeError } from '../../core/errors';
import { CopySlices } from '../../autograd/copy-slices';
import { FunctionNode, takeSequenceNr, type GradRule } from '../../autograd/node';
import { gradRules, type GradFnName, type SavedOf } from '../../autograd/rules/index';
import { gatherStrided, scatterStrided } from '../../kernels/slice';
import { needsGrad, record } from '../record';
import { Tensor } from '../tensor';

/**
 * An in-place op on `t` (PyTorch's `relu_()`, `leaky_relu_()`): writes
 * `values(old values)` into t's storage, bumps the version counter shared with
 * its views and detached copies, and rebases t's history on the grad_fn `name`,
 * whose saved state `saved(result, owner)` may hold the result (t itself;
 * `owner` is the grad_fn an in-place error then names). On a view that
 * requires grad the history goes through CopySlices (Note [In-place on a view],
 * engine/autograd/copy-slices.ts). `others` are the op's other inputs (`t.add_(b)`: b), the
 * grad_fn's next edges after t's; with them t may start to require grad here.
 */
export function inPlace<K extends GradFnName>(
  t: Tensor,
  values: (x: FloatArray) => FloatArray,
  name: K,
  saved: (result: Tensor, owner: string) => SavedOf<K>,
  others: readonly Tensor[] = [],
): Tensor {
  const grad = needsGrad([t]);
  // PyTorch's check_inplace, in its order.
  if (grad && t.base !== null && t.base.isLeaf) {
    throw runtimeError('a view of a leaf Variable that requires grad is being used in an in-place operation.');
  }
  if (grad && t.isLeaf) {
    throw runtimeError('a leaf Variable that requires grad is being used in an in-place operation.');
  }
  if (grad && t.base !== null) {
    if (others.length) throw internalError('an in-place op with other inputs on a view');
    return inPlaceOnView(t, t.base, values, name, saved);
  }
  // The edge is taken before the write bumps the version, as PyTorch's in-place code does.
  const prev = grad ? t.gradientEdge() : null;
  write(t, values);
  if (prev || needsGrad(others)) {
    const view = new Tensor(t.storage, t.shape, t.dtype, t.strides, t.offset);
    if (prev) {
      view.gradFn = prev.node;
      view.outputNr = prev.inputNr;
    }
    record(view, name, [view, ...others], () => saved(view, name));
    t.gradFn = view.gradFn;
    t.outputNr = 0;
    t.installRetainHook(); // See Note [retain_grad hook moves with grad_fn]
  }
  return t;
}

/** Writes `values(old values)` into t's elements (strided or not) and bumps the version once. */
function write(t: Tensor, values: (x: FloatArray) => FloatArray): void {
  const d = t.storage.data;
  if (t.isContiguous) d.set(values(d.subarray(t.offset, t.offset + t.numel)), t.offset);
  else scatterStrided(d, t.offset, t.shape, t.strides, values(gatherStrided(d, t.offset, t.shape, t.strides)));
  t.storage.bumpVersion(); // See Note [SavedVariable version counter]
}

/** `inPlace` on a view that requires grad: see Note [In-place on a view] (engine/autograd/copy-slices.ts). */
function inPlaceOnView<K extends GradFnName>(
  t: Tensor,
  base: Tensor,
  values: (x: FloatArray) => FloatArray,
  name: K,
  saved: (result: Tensor, owner: string) => SavedOf<K>,
): Tensor {
  const sequenceNr = takeSequenceNr(); // the op's grad_fn is created before it collects its edge
  const prev = t.gradientEdge();
  write(t, values);
  const geometry = {
    baseShape: base.shape,
    baseStride: base.strides,
    baseOffset: base.offset,
    dtype: base.dtype,
    size: t.shape,
    stride: t.strides,
    storageOffset: t.offset,
  };
  const copy = new CopySlices(geometry, base.requiresGrad ? base.gradientEdge() : null, [prev]);
  base.gradFn = copy;
  base.outputNr = 0;
  // Reading t's grad_fn regenerates it (AsStridedBackward0 -> CopySlices); PyTorch saves the
  // result after that, so an in-place error later names AsStridedBackward0.
  const owner = t.gradFnName!;
  const rule = gradRules[name] as GradRule<SavedOf<K>>;
  copy.wrap(new FunctionNode(name, rule, saved(t, owner), [prev], [{ shape: t.shape, dtype: t.dtype }], sequenceNr));
  return t;
}
