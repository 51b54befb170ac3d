import { allocLike, type DType, type FloatArray } from '../core/dtype';
import { formatShape, isExpandableTo, numel, sameShape, type Shape } from '../core/shape';
import { runtimeError } from '../core/errors';

/**
 * A gradient as it travels through the backward pass: a contiguous, row-major
 * buffer with its shape. Backward formulas never modify a GradValue they receive.
 */
export interface GradValue {
  readonly data: FloatArray;
  readonly shape: Shape;
  readonly dtype: DType;
}

/** Makes a GradValue. */
export function gradValue(data: FloatArray, shape: Shape, dtype: DType): GradValue {
  return { data, shape: [...shape], dtype };
}

/** Elementwise sum of two gradients of the same shape (the InputBuffer's accumulation). */
export function addGrads(a: GradValue, b: GradValue): GradValue {
  const out = allocLike(a.data, a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i]! + b.data[i]!;
  return { data: out, shape: a.shape, dtype: a.dtype };
}

/**
 * Sums `g` down to `shape` over broadcast dimensions (PyTorch's `sum_to`), as the
 * backward of a broadcasting op and the engine's `reduce_grad` do.
 */
export function sumTo(g: GradValue, shape: Shape): GradValue {
  if (sameShape(g.shape, shape)) return g;
  const n = g.shape.length;
  const lead = n - shape.length;
  const out = allocLike(g.data, numel(shape));
  // Strides of the target, with 0 for broadcast dims.
  const tStrides = new Array<number>(n).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const gi = i + lead;
    tStrides[gi] = shape[i] === 1 && g.shape[gi] !== 1 ? 0 : s;
    s *= shape[i]!;
  }
  const idx = new Array<number>(n).fill(0);
  const total = g.data.length;
  let t = 0;
  for (let k = 0; k < total; k++) {
    out[t] = out[t]! + g.data[k]!;
    for (let d = n - 1; d >= 0; d--) {
      idx[d]!++;
      t += tStrides[d]!;
      if (idx[d]! < g.shape[d]!) break;
      t -= tStrides[d]! * idx[d]!;
      idx[d] = 0;
    }
  }
  return { data: out, shape: [...shape], dtype: g.dtype };
}

/** Metadata of one input of a Node: the shape and dtype its gradient must have. */
export interface InputMetadata {
  readonly shape: Shape;
  readonly dtype: DType;
}

/**
 * PyTorch's `validate_outputs`: a gradient whose shape differs from what its
 * receiver expects is summed down when it can be (broadcasting), and otherwise
 * is an error naming the function that produced it.
 */
export function validateGrad(fnName: string, index: number, g: GradValue, meta: InputMetadata): GradValue {
  let out = g;
  if (!sameShape(g.shape, meta.shape)) {
    if (!isExpandableTo(meta.shape, g.shape)) {
      throw runtimeError(
        `Function ${fnName} returned an invalid gradient at index ${index} - got ${formatShape(g.shape)} ` +
          `but expected shape compatible with ${formatShape(meta.shape)}`,
      );
    }
    out = sumTo(g, meta.shape);
  }
  if (out.dtype !== meta.dtype) {
    throw runtimeError(
      `Function ${fnName} returned an invalid gradient at index ${index} - expected dtype ${meta.dtype} but got ${out.dtype}`,
    );
  }
  return out;
}
