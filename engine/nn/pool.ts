import { mapped } from '../core/arrays';
import { scalarTypeName, type DType } from '../core/dtype';
import { runtimeError } from '../core/errors';
import { checkBudget, numel } from '../core/shape';
import { avgPool2dForward, maxPool2dForward, poolOutputSize, type Pool2dGeometry } from '../kernels/pool';
import { record, save } from '../tensor/record';
import { Tensor } from '../tensor/tensor';
import type { Pair } from './conv';

/** Arguments shared by the 2-D pools. */
export interface Pool2dArgs {
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly ceilMode: boolean;
}

/** PyTorch's pool2d shape checks and output size, from the input's shape. */
function outputSize(shape: readonly number[], a: Pool2dArgs): [number, number] {
  if ((shape.length !== 3 && shape.length !== 4) || numel(shape) === 0) {
    throw runtimeError('non-empty 3D or 4D (batch mode) tensor expected for input');
  }
  const h = shape[shape.length - 2]!;
  const w = shape[shape.length - 1]!;
  const out = mapped([0, 1], (i) => {
    const k = a.kernel[i]!;
    const pad = a.padding[i]!;
    if (pad > Math.floor(k / 2)) {
      throw runtimeError(`pad should be at most half of kernel size, but got pad=${pad} and kernel_size=${k}`);
    }
    return poolOutputSize(i === 0 ? h : w, k, pad, a.stride[i]!, a.dilation[i]!, a.ceilMode);
  }) as [number, number];
  const planesC = shape[shape.length - 3]!;
  if (out[0] < 1 || out[1] < 1) {
    throw runtimeError(
      `Given input size: (${planesC}x${h}x${w}). Calculated output size: (${planesC}x${out[0]}x${out[1]}). ` +
        `Output size is too small`,
    );
  }
  return out;
}

/** The output shape of the 2-D pools, with their checks, from the input's shape (shape inference). */
export function pool2dShape(shape: readonly number[], a: Pool2dArgs): number[] {
  return [...shape.slice(0, -2), ...outputSize(shape, a)];
}

function geometry(t: Tensor, a: Pool2dArgs): Pool2dGeometry {
  const out = outputSize(t.shape, a);
  checkBudget([...t.shape.slice(0, -2), out[0], out[1]]);
  const h = t.shape[t.ndim - 2]!;
  const w = t.shape[t.ndim - 1]!;
  return {
    planes: t.numel / (h * w),
    h,
    w,
    kH: a.kernel[0],
    kW: a.kernel[1],
    strideH: a.stride[0],
    strideW: a.stride[1],
    padH: a.padding[0],
    padW: a.padding[1],
    dilH: a.dilation[0],
    dilW: a.dilation[1],
    hOut: out[0],
    wOut: out[1],
  };
}

/** max_pool2d's CPU kernel has no int64 version in PyTorch 1.13; it says so after the shape checks. */
export function checkMaxPoolDtype(dtype: DType): void {
  if (dtype === 'int64') throw runtimeError(`"max_pool2d" not implemented for '${scalarTypeName(dtype)}'`);
}

/** `F.max_pool2d` (MaxPool2DWithIndicesBackward0): the gradient goes to the first maximum. */
export function maxPool2d(t: Tensor, a: Pool2dArgs): Tensor {
  const g = geometry(t, a);
  checkMaxPoolDtype(t.dtype);
  const { out, indices } = maxPool2dForward(t.contiguousData(), g);
  const res = Tensor.fromData(out, [...t.shape.slice(0, -2), g.hOut, g.wOut], t.dtype);
  return record(res, 'MaxPool2DWithIndicesBackward0', [t], () => ({
    self: save(t),
    shape: t.shape,
    indices,
    geometry: g,
  }));
}

/** `F.avg_pool2d` (AvgPool2DBackward0). */
export function avgPool2d(
  t: Tensor,
  a: Omit<Pool2dArgs, 'dilation'>,
  countIncludePad: boolean,
  divisorOverride: number | null,
): Tensor {
  if (divisorOverride === 0) throw runtimeError('divisor must be not zero');
  const g = geometry(t, { ...a, dilation: [1, 1] });
  const out = avgPool2dForward(t.contiguousData(), g, countIncludePad, divisorOverride);
  // Note [Integer average pooling]: ATen sums an int64 window in int64 and divides by an int64
  // divisor, truncating toward zero; truncating the float64 quotient is the same for |sum| < 2^53.
  if (t.dtype === 'int64') for (let i = 0; i < out.length; i++) out[i] = Math.trunc(out[i]!) || 0; // no -0 in an integer tensor
  const res = Tensor.fromData(out, [...t.shape.slice(0, -2), g.hOut, g.wOut], t.dtype);
  return record(res, 'AvgPool2DBackward0', [t], () => ({
    self: save(t),
    shape: t.shape,
    geometry: g,
    countIncludePad,
    divisorOverride,
  }));
}
