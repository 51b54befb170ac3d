import { runtimeError, TorchError } from '../core/errors';
import { scalarTypeName, type DType } from '../core/dtype';
import { checkBudget, formatShape, type Shape } from '../core/shape';
import { adaptiveAvgPool2dForward, type AdaptivePoolGeometry } from '../kernels/adaptive-pool';
import { record, save } from '../tensor/record';
import { Tensor } from '../tensor/tensor';
import { mean } from '../tensor/ops/reduce';

/** `output_size` as F.adaptive_avg_pool2d takes it: an int, or a pair whose None entries keep the input's size. */
export type OutputSize2 = number | readonly [number | null, number | null];

/**
 * The output size F.adaptive_avg_pool2d computes with, and the path it takes:
 * `mean` over the last two dims (keepdim) for 1 x 1, as ATen's `adaptive_avg_pool2d`
 * does, else `_adaptive_avg_pool2d` with its checks. PyTorch 1.13's order: Python's
 * `_list_with_default` (a pair needs a 3-D input), the non-negative check, then the path.
 */
function plan(shape: Shape, dtype: DType, outputSize: OutputSize2): { size: [number, number]; mean: boolean } {
  let size: [number, number];
  if (typeof outputSize === 'number') size = [outputSize, outputSize];
  else {
    if (shape.length <= 2) throw new TorchError('ValueError', 'Input dimension should be at least 3');
    size = [outputSize[0] ?? shape[shape.length - 2]!, outputSize[1] ?? shape[shape.length - 1]!];
  }
  if (size[0] < 0 || size[1] < 0) {
    throw runtimeError(
      'adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received ' +
        `{${size[0]}, ${size[1]}}`,
    );
  }
  if (size[0] === 1 && size[1] === 1) return { size, mean: true };
  if (shape.length !== 3 && shape.length !== 4) {
    throw runtimeError(`adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got ${formatShape(shape)}`);
  }
  for (const i of [-2, -1]) {
    if (shape[shape.length + i] === 0) {
      throw runtimeError(
        'adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has ' +
          `sizes ${formatShape(shape)} with dimension ${shape.length + i} being empty`,
      );
    }
  }
  // ATen returns an empty output before it dispatches on the dtype, so only a non-empty one refuses int64
  const planes = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  if (dtype === 'int64' && planes * size[0] * size[1] > 0) {
    throw runtimeError(`"adaptive_avg_pool2d" not implemented for '${scalarTypeName(dtype)}'`);
  }
  return { size, mean: false };
}

/** The output shape of {@link adaptiveAvgPool2d}, with its checks (shape inference). */
export function adaptiveAvgPool2dShape(shape: Shape, dtype: DType, outputSize: OutputSize2): number[] {
  const p = plan(shape, dtype, outputSize);
  if (p.mean) {
    // mean's own checks (dtype, dims) on an empty tensor of the same rank and dtype.
    const kept = mean(
      Tensor.zeros(
        shape.map(() => 0),
        dtype,
      ),
      [-1, -2],
      true,
    ).shape;
    return shape.map((s, i) => (kept[i] === 1 ? 1 : s));
  }
  return [...shape.slice(0, -2), ...p.size];
}

/**
 * `F.adaptive_avg_pool2d(input, output_size)`: output cell (i, j) is the mean of
 * rows [floor(i*H/oh), ceil((i+1)*H/oh)) and columns likewise
 * (AdaptiveAvgPool2DBackward0), or MeanBackward1 for a 1 x 1 output.
 */
export function adaptiveAvgPool2d(t: Tensor, outputSize: OutputSize2): Tensor {
  const p = plan(t.shape, t.dtype, outputSize);
  if (p.mean) return mean(t, [-1, -2], true);
  const [oh, ow] = p.size;
  const shape = [...t.shape.slice(0, -2), oh, ow];
  checkBudget(shape);
  const h = t.shape[t.ndim - 2]!;
  const w = t.shape[t.ndim - 1]!;
  const g: AdaptivePoolGeometry = { planes: t.numel / (h * w), h, w, oh, ow };
  const out = Tensor.fromData(adaptiveAvgPool2dForward(t.contiguousData(), g), shape, t.dtype);
  return record(out, 'AdaptiveAvgPool2DBackward0', [t], () => ({ self: save(t), shape: t.shape, geometry: g }));
}
