import { runtimeError, TorchError } from './errors';
import { MAX_TENSOR_ELEMENTS } from './limits';

/** A tensor shape: sizes of each dimension, outermost first. */
export type Shape = readonly number[];

/** Number of elements of a tensor of this shape (1 for a 0-d tensor). */
export function numel(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Row-major (contiguous) strides of `shape`. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= Math.max(shape[i]!, 1);
  }
  return strides;
}

/**
 * True if `strides` are `contiguousStrides(shape)` wherever the size is above 1 (PyTorch's
 * `is_contiguous`), walked from the last dim without building them.
 */
export function isRowMajor(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const size = shape[i]!;
    if (size > 1 && strides[i] !== expected) return false;
    expected *= Math.max(size, 1);
  }
  return true;
}

/** True if both shapes are equal. */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** PyTorch's way of printing sizes in messages: `[2, 3]`. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Refuses a shape whose element count exceeds the engine's budget. */
export function checkBudget(shape: Shape): void {
  const n = numel(shape);
  if (!(n <= MAX_TENSOR_ELEMENTS)) {
    throw runtimeError(
      `tensor of shape ${formatShape(shape)} would have ${n} elements, more than the engine's budget of ` +
        `${MAX_TENSOR_ELEMENTS} elements per tensor`,
    );
  }
}

/**
 * Broadcasts two shapes as PyTorch does, with its message on failure:
 * `The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1`.
 */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    const ia = i - (n - a.length);
    const ib = i - (n - b.length);
    const sa = ia >= 0 ? a[ia]! : 1;
    const sb = ib >= 0 ? b[ib]! : 1;
    if (sa !== sb && sa !== 1 && sb !== 1) {
      throw runtimeError(
        `The size of tensor a (${sa}) must match the size of tensor b (${sb}) at non-singleton dimension ${i}`,
      );
    }
    out[i] = sa === 1 ? sb : sa;
  }
  return out;
}

/** True if a tensor of shape `from` can be expanded (broadcast) to `to`. */
export function isExpandableTo(from: Shape, to: Shape): boolean {
  if (from.length > to.length) return false;
  for (let i = 1; i <= from.length; i++) {
    const f = from[from.length - i]!;
    const t = to[to.length - i]!;
    if (f !== t && f !== 1) return false;
  }
  return true;
}

/**
 * Wraps a possibly negative dimension index, with PyTorch's IndexError text:
 * `Dimension out of range (expected to be in range of [-2, 1], but got 2)`.
 * A 0-d tensor accepts dims as if it had one dimension, as PyTorch does.
 */
export function normalizeDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (dim < -n || dim >= n) {
    throw new TorchError(
      'IndexError',
      `Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`,
    );
  }
  return dim < 0 ? dim + n : dim;
}
