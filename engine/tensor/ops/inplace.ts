import type { FloatArray } from '../../core/dtype';
import { runtimeError, TorchError } from '../../core/errors';
import type { GradFnName, SavedOf } from '../../autograd/rules/index';
import { needsGrad, record } from '../record';
import { Tensor } from '../tensor';

/**
 * An in-place op on `t` (PyTorch's `relu_()`, `leaky_relu_()`): writes
 * `values(old values)` into t's storage, bumps the version counter shared with
 * its views and detached copies, and rebases t's history on the grad_fn `name`,
 * whose saved state `saved(result)` may hold the result (t itself). `what` names
 * the op in the engine's own limits (an in-place op on a view that requires
 * grad, which PyTorch handles with CopySlices, is refused).
 */
export function inPlace<K extends GradFnName>(
  t: Tensor,
  what: string,
  values: (x: FloatArray) => FloatArray,
  name: K,
  saved: (result: Tensor) => SavedOf<K>,
): Tensor {
  if (t.isLeaf && t.requiresGrad && needsGrad([t])) {
    throw runtimeError('a leaf Variable that requires grad is being used in an in-place operation.');
  }
  if (t.base !== null && t.requiresGrad) {
    throw new TorchError(
      'NotImplementedError',
      `in-place ${what} on a view of a tensor that requires grad is not supported by this engine`,
    );
  }
  if (!t.isContiguous)
    throw runtimeError(`in-place ${what} on a non-contiguous tensor is not supported by this engine`);
  // The edge is taken before the write bumps the version, as PyTorch's in-place code does.
  const prev = needsGrad([t]) ? t.gradientEdge() : null;
  const d = t.storage.data;
  d.set(values(d.subarray(t.offset, t.offset + t.numel)), t.offset);
  t.storage.bumpVersion(); // See Note [SavedVariable version counter]
  if (prev) {
    const view = new Tensor(t.storage, t.shape, t.dtype, t.strides, t.offset);
    view.gradFn = prev.node;
    view.outputNr = prev.inputNr;
    record(view, name, [view], () => saved(view));
    t.gradFn = view.gradFn;
    t.outputNr = 0;
    t.installRetainHook(); // See Note [retain_grad hook moves with grad_fn]
  }
  return t;
}
