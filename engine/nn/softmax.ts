import { scalarTypeName, type DType } from '../core/dtype';
import { runtimeError } from '../core/errors';
import { normalizeDim } from '../core/shape';
import { logSoftmaxForward, softmaxForward } from '../kernels/softmax';
import { record, saveOutput } from '../tensor/record';
import { Tensor } from '../tensor/tensor';

/** PyTorch's implicit dim for `nn.Softmax()` without dim (deprecated, with a warning). */
export function implicitSoftmaxDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

function geometry(t: Tensor, dim: number): { outer: number; dimSize: number; inner: number } {
  const d = normalizeDim(dim, t.ndim);
  const shape = t.ndim === 0 ? [1] : t.shape;
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < d; i++) outer *= shape[i]!;
  for (let i = d + 1; i < shape.length; i++) inner *= shape[i]!;
  return { outer, dimSize: shape[d]!, inner };
}

/**
 * PyTorch's CPU kernels have no integer softmax: an int64 input raises, naming the kernel
 * the dim picks (the last dim, and any dim of a 0-d or 1-d tensor, has its own; log_softmax
 * along another dim shares softmax's).
 */
export function checkSoftmaxDtype(op: 'softmax' | 'log_softmax', dtype: DType, ndim: number, dim: number): void {
  if (dtype !== 'int64') return;
  const last = ndim <= 1 || normalizeDim(dim, ndim) === ndim - 1;
  const kernel = last ? `${op}_lastdim_kernel_impl` : 'softmax_kernel_impl';
  throw runtimeError(`"${kernel}" not implemented for '${scalarTypeName(dtype)}'`);
}

/** `F.log_softmax(t, dim)` (LogSoftmaxBackward0). */
export function logSoftmax(t: Tensor, dim: number): Tensor {
  checkSoftmaxDtype('log_softmax', t.dtype, t.ndim, dim);
  const g = geometry(t, dim);
  const out = Tensor.fromData(logSoftmaxForward(t.contiguousData(), g.outer, g.dimSize, g.inner), t.shape, t.dtype);
  return record(out, 'LogSoftmaxBackward0', [t], () => ({ result: saveOutput(out, 'LogSoftmaxBackward0'), ...g }));
}

/** `F.softmax(t, dim)` (SoftmaxBackward0). */
export function softmax(t: Tensor, dim: number): Tensor {
  checkSoftmaxDtype('softmax', t.dtype, t.ndim, dim);
  const g = geometry(t, dim);
  const out = Tensor.fromData(softmaxForward(t.contiguousData(), g.outer, g.dimSize, g.inner), t.shape, t.dtype);
  return record(out, 'SoftmaxBackward0', [t], () => ({ result: saveOutput(out, 'SoftmaxBackward0'), ...g }));
}
