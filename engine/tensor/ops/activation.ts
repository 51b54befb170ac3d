import { allocFor, isFloatingPoint, scalarTypeName, type DType } from '../../core/dtype';
import { check, runtimeError } from '../../core/errors';
import {
  geluForward,
  leakyReluForward,
  powForward,
  sigmoidForward,
  tanhForward,
  type GeluApproximate,
} from '../../kernels/activation';
import type { FloatArray } from '../../core/dtype';
import { record, save, saveOutput } from '../record';
import { type Tensor } from '../tensor';
import { inPlace } from './inplace';
import { pointwise } from './pointwise';

/** The dtype a floating kernel computes `t` in: its own, or float32 for int64 (PyTorch's promotion of integer inputs). */
const floatDtype = (t: Tensor): DType => (isFloatingPoint(t.dtype) ? t.dtype : 'float32');

/** `x` as an array of `dtype` (a copy into float32 for int64 values). */
function asFloat(x: FloatArray, dtype: DType): FloatArray {
  if (dtype !== 'float32' || x instanceof Float32Array) return x;
  const data = allocFor('float32', x.length);
  data.set(x);
  return data;
}

/** The check of a kernel PyTorch dispatches over floating types only (`"leaky_relu_cpu" not implemented for 'Long'`). */
export function checkFloating(kernel: string, dtype: DType): void {
  check(isFloatingPoint(dtype), () => `"${kernel}" not implemented for '${scalarTypeName(dtype)}'`);
}

/** `torch.sigmoid` (SigmoidBackward0, saves its result); an int64 input gives float32. */
export function sigmoid(t: Tensor): Tensor {
  const dtype = floatDtype(t);
  const out = pointwise(t, (x) => sigmoidForward(asFloat(x, dtype)), dtype);
  return record(out, 'SigmoidBackward0', [t], () => ({ result: saveOutput(out, 'SigmoidBackward0') }));
}

/** `torch.tanh` (TanhBackward0, saves its result); an int64 input gives float32. */
export function tanh(t: Tensor): Tensor {
  const dtype = floatDtype(t);
  const out = pointwise(t, (x) => tanhForward(asFloat(x, dtype)), dtype);
  return record(out, 'TanhBackward0', [t], () => ({ result: saveOutput(out, 'TanhBackward0') }));
}

/** `F.leaky_relu(t, negative_slope)` (LeakyReluBackward0, saves its input). */
export function leakyRelu(t: Tensor, negativeSlope: number): Tensor {
  checkFloating('leaky_relu_cpu', t.dtype);
  const out = pointwise(t, (x) => leakyReluForward(x, negativeSlope));
  return record(out, 'LeakyReluBackward0', [t], () => ({ self: save(t), negativeSlope }));
}

/**
 * `F.leaky_relu(t, negative_slope, inplace=True)`: writes into t's storage and
 * rebases its history on LeakyReluBackward1, which saves the result (its
 * backward refuses a negative slope, as PyTorch's does).
 */
export function leakyRelu_(t: Tensor, negativeSlope: number): Tensor {
  checkFloating('leaky_relu_cpu', t.dtype);
  return inPlace(
    t,
    (x) => leakyReluForward(x, negativeSlope),
    'LeakyReluBackward1',
    (result, owner) => ({ result: saveOutput(result, owner), negativeSlope }),
  );
}

/** `F.gelu(t, approximate)` (GeluBackward0, saves its input). */
export function gelu(t: Tensor, approximate: GeluApproximate): Tensor {
  checkFloating('GeluKernelImpl', t.dtype);
  const out = pointwise(t, (x) => geluForward(x, approximate));
  return record(out, 'GeluBackward0', [t], () => ({ self: save(t), approximate }));
}

/**
 * The dtype of `torch.pow(t, exponent)` for a number exponent: an int64 tensor
 * stays int64 under an integer exponent (never a negative one) and becomes
 * float32 under any other.
 */
export function powDtype<D extends DType>(dtype: D, exponent: number): D | 'float32' | 'int64' {
  if (isFloatingPoint(dtype)) return dtype;
  if (!Number.isInteger(exponent)) return 'float32';
  if (exponent < 0) throw runtimeError('Integers to negative integer powers are not allowed.');
  return 'int64';
}

/** `torch.pow(t, exponent)` with a number exponent (PowBackward0, saves its input and the exponent). */
export function pow(t: Tensor, exponent: number): Tensor {
  const dtype = powDtype(t.dtype, exponent);
  const out = pointwise(
    t,
    (x) => (dtype === 'int64' ? x.map((v) => v ** exponent) : powForward(asFloat(x, dtype), exponent)),
    dtype,
  );
  return record(out, 'PowBackward0', [t], () => ({ self: save(t), exponent }));
}
