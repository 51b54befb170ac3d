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

/** `F.log_softmax(t, dim)` (LogSoftmaxBackward0). */
export function logSoftmax(t: Tensor, dim: number): Tensor {
  const g = geometry(t, dim);
  const out = Tensor.fromData(logSoftmaxForward(t.contiguousData(), g.outer, g.dimSize, g.inner), t.shape, t.dtype);
  return record(out, 'LogSoftmaxBackward0', [t], () => ({ result: saveOutput(out, 'LogSoftmaxBackward0'), ...g }));
}

/** `F.softmax(t, dim)` (SoftmaxBackward0). */
export function softmax(t: Tensor, dim: number): Tensor {
  const g = geometry(t, dim);
  const out = Tensor.fromData(softmaxForward(t.contiguousData(), g.outer, g.dimSize, g.inner), t.shape, t.dtype);
  return record(out, 'SoftmaxBackward0', [t], () => ({ result: saveOutput(out, 'SoftmaxBackward0'), ...g }));
}
