import { allocFor, isFloatingPoint, type DType } from '../../core/dtype';
import { runtimeError } from '../../core/errors';
import { broadcastShapes, formatShape } from '../../core/shape';
import { binaryOp, negArray, reluForward, scalarOp, unary, type BinaryOp } from '../../kernels/elementwise';
import { record, save, saveOutput } from '../record';
import { type Tensor } from '../tensor';
import { inPlace } from './inplace';
import { elementwiseResult, pointwise } from './pointwise';

/** Result dtype of a binary op (PyTorch's type promotion for the dtypes we have). */
function promote(a: Tensor, b: Tensor, trueDivide: boolean): DType {
  if (a.dtype === 'float64' || b.dtype === 'float64') return 'float64';
  if (a.dtype === 'float32' || b.dtype === 'float32') return 'float32';
  return trueDivide ? 'float32' : 'int64';
}

function binary(a: Tensor, b: Tensor, op: BinaryOp, trueDivide = false): Tensor {
  const shape = broadcastShapes(a.shape, b.shape);
  const dtype = promote(a, b, trueDivide);
  const like = allocFor(dtype, 0);
  const out = binaryOp(op, a.contiguousData(), a.shape, b.contiguousData(), b.shape, shape, like);
  return elementwiseResult(out, shape, dtype, [a, b]);
}

/** `a + b` (AddBackward0). */
export function add(a: Tensor, b: Tensor): Tensor {
  return record(binary(a, b, 'add'), 'AddBackward0', [a, b], () => null);
}

/**
 * `t.add_(b)`: b broadcast into t's shape, written into t (AddBackward0, t's version + 1).
 * F.linear adds its bias this way when it does not take addmm (1-D input, 4-D or more,
 * non-contiguous 3-D), so the output is at version 1 (2 after a 1-D input's `squeeze_`).
 */
export function add_(t: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(t.shape, b.shape);
  if (shape.length !== t.ndim || shape.some((n, i) => n !== t.shape[i])) {
    throw runtimeError(
      `output with shape ${formatShape(t.shape)} doesn't match the broadcast shape ${formatShape(shape)}`,
    );
  }
  const bData = b.contiguousData();
  return inPlace(
    t,
    (x) => binaryOp('add', x, t.shape, bData, b.shape, t.shape, x),
    'AddBackward0',
    () => null,
    [b],
  );
}

/** `a - b` (SubBackward0). */
export function sub(a: Tensor, b: Tensor): Tensor {
  return record(binary(a, b, 'sub'), 'SubBackward0', [a, b], () => null);
}

/** `a * b` (MulBackward0). */
export function mul(a: Tensor, b: Tensor): Tensor {
  return record(binary(a, b, 'mul'), 'MulBackward0', [a, b], () => ({
    a: b.requiresGrad ? save(a) : null,
    b: a.requiresGrad ? save(b) : null,
  }));
}

/** `a / b` (DivBackward0). */
export function div(a: Tensor, b: Tensor): Tensor {
  return record(binary(a, b, 'div', true), 'DivBackward0', [a, b], () => ({
    a: b.requiresGrad ? save(a) : null,
    b: save(b),
  }));
}

/** `t * scalar` (MulBackward1). */
export function mulScalar(t: Tensor, scalar: number): Tensor {
  const out = pointwise(t, (x) => scalarOp('mul', x, scalar));
  return record(out, 'MulBackward1', [t], () => ({ scalar }));
}

/** `t + scalar` (AddBackward1). */
export function addScalar(t: Tensor, scalar: number): Tensor {
  const out = pointwise(t, (x) => scalarOp('add', x, scalar));
  return record(out, 'AddBackward1', [t], () => null);
}

/** `t / scalar` (DivBackward1). */
export function divScalar(t: Tensor, scalar: number): Tensor {
  const out = pointwise(t, (x) => scalarOp('div', x, scalar));
  return record(out, 'DivBackward1', [t], () => ({ scalar }));
}

function floatUnary(t: Tensor, f: (x: number) => number): Tensor {
  const dtype = isFloatingPoint(t.dtype) ? t.dtype : 'float32';
  return pointwise(
    t,
    (src) => {
      const data = allocFor(dtype, src.length);
      for (let i = 0; i < src.length; i++) data[i] = f(src[i]!);
      return data;
    },
    dtype,
  );
}

/** `-t` (NegBackward0). */
export function neg(t: Tensor): Tensor {
  return record(pointwise(t, negArray), 'NegBackward0', [t], () => null);
}

/** `torch.exp` (ExpBackward0, saves its result). */
export function exp(t: Tensor): Tensor {
  const out = floatUnary(t, Math.exp);
  return record(out, 'ExpBackward0', [t], () => ({ result: saveOutput(out, 'ExpBackward0') }));
}

/** `torch.log` (LogBackward0): NaN for negative input, -inf at 0, as PyTorch. */
export function log(t: Tensor): Tensor {
  return record(floatUnary(t, Math.log), 'LogBackward0', [t], () => ({ self: save(t) }));
}

/** `torch.sign` (SignBackward0: zero gradient). PyTorch's kernel is `(0 < a) - (a < 0)`: NaN and -0 give +0. */
export function sign(t: Tensor): Tensor {
  const f = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);
  return record(
    pointwise(t, (x) => unary(x, f)),
    'SignBackward0',
    [t],
    () => null,
  );
}

/** `torch.abs` (AbsBackward0, saves its input: the gradient is multiplied by sgn(input), 0 at 0 and NaN). */
export function abs(t: Tensor): Tensor {
  const out = pointwise(t, (x) => unary(x, Math.abs));
  return record(out, 'AbsBackward0', [t], () => ({ self: save(t) }));
}

/** `F.relu` (ReluBackward0, saves its result). */
export function relu(t: Tensor): Tensor {
  const out = pointwise(t, reluForward);
  return record(out, 'ReluBackward0', [t], () => ({ result: saveOutput(out, 'ReluBackward0') }));
}

/**
 * `F.relu(t, inplace=True)`: writes into t's storage (bumping the version shared
 * with its views and detached copies) and rebases t's history on ReluBackward0.
 */
export function relu_(t: Tensor): Tensor {
  return inPlace(t, reluForward, 'ReluBackward0', (result, owner) => ({
    result: saveOutput(result, owner),
  }));
}

/**
 * The dtype of `torch.clamp(t, min, max)`: an int64 tensor clamped to a bound that is not a whole
 * number is promoted to float32, as PyTorch promotes it with a Python float (a whole-number bound
 * is read as a Python int, as the document's JSON gives it to PyTorch, and keeps int64).
 */
export function clampDtype<D extends DType>(dtype: D, min: number | null, max: number | null): D | 'float32' {
  const fractional = (v: number | null): boolean => v !== null && !Number.isInteger(v);
  return dtype === 'int64' && (fractional(min) || fractional(max)) ? 'float32' : dtype;
}

/** `torch.clamp(t, min, max)` (ClampBackward1). */
export function clamp(t: Tensor, min: number | null, max: number | null): Tensor {
  if (min === null && max === null) throw runtimeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  const f = (x: number) => (Number.isNaN(x) ? x : Math.min(Math.max(x, lo), hi));
  const dtype = clampDtype(t.dtype, min, max);
  const out = pointwise(t, (x) => (dtype === t.dtype ? unary(x, f) : Float32Array.from(unary(x, f))), dtype);
  return record(out, 'ClampBackward1', [t], () => ({ self: save(t), min, max }));
}
