import { allocLike, type DType, type FloatArray } from '../../core/dtype';
import { Storage } from '../../core/storage';
import { isRowMajor, sameShape, type Shape } from '../../core/shape';
import { scatterStrided } from '../../kernels/slice';
import { Tensor } from '../tensor';
import { isDense } from './view';

/** What the layout rule reads of an operand. */
interface Operand {
  readonly shape: Shape;
  readonly strides: readonly number[];
}

/**
 * The strides PyTorch's TensorIterator gives the result of an elementwise op whose
 * operands broadcast to `shape`, or null for row-major.
 *
 * Note [Elementwise results keep the inputs' layout]: TensorIterator does not make its
 * output row-major; it orders the dims by the operands' strides (`reorder_dimensions`:
 * an insertion sort from the last dim, where the first operand whose strides tell two
 * dims apart decides, a broadcast dim (stride 0) tells nothing, and equal strides put
 * the smaller size first), then lays the output out densely in that order. So
 * `x.t().exp()` and `x.t() + 1` are transposed too, and a Flatten after them copies
 * where after a row-major tensor it is a view: an in-place op after that Flatten then
 * leaves the Exp's saved result alone, and Linear on such a 3-D input takes matmul and
 * `add_` instead of addmm. Row-major operands give a row-major result, and operands of the
 * result's shape that are dense with equal strides give those strides (its fast setup). The
 * values never depend on it: the engine computes them row-major and, when this gives
 * strides, writes them out in that layout.
 */
export function iteratorStrides(shape: Shape, operands: readonly Operand[]): number[] | null {
  const n = shape.length;
  if (n <= 1) return null;
  // row-major operands give a row-major result (TensorIterator's fast setup when no operand is
  // broadcast; with broadcasting its sort keeps the order, up to the strides of size-1 dims)
  if (operands.every(rowMajor)) return null;
  // operands of the result's shape, all dense with the same strides, give those strides
  const first = operands[0]!;
  if (
    operands.every((op) => sameShape(op.shape, shape) && op.strides.every((v, i) => v === first.strides[i])) &&
    isDense(first.shape, first.strides)
  ) {
    return [...first.strides];
  }
  // each operand's strides in the broadcast shape: 0 where it is broadcast
  const strides = operands.map((op) => {
    const off = n - op.shape.length;
    return shape.map((size, d) => {
      const i = d - off;
      return i < 0 || (op.shape[i] === 1 && size !== 1) ? 0 : op.strides[i]!;
    });
  });
  // 1: dim0 goes after dim1 (dim0 is slower); -1: before; 0: undecided
  const shouldSwap = (dim0: number, dim1: number): number => {
    for (const s of strides) {
      const s0 = s[dim0]!,
        s1 = s[dim1]!;
      if (s0 === 0 || s1 === 0) continue;
      if (s0 < s1) return -1;
      if (s0 > s1) return 1;
      if (shape[dim0]! > shape[dim1]!) return 1;
    }
    return 0;
  };
  const perm = shape.map((_, i) => n - 1 - i); // perm[0]: the fastest dim
  for (let i = 1; i < n; i++) {
    let dim1 = i;
    for (let dim0 = i - 1; dim0 >= 0; dim0--) {
      const c = shouldSwap(perm[dim0]!, perm[dim1]!);
      if (c > 0) {
        [perm[dim0], perm[dim1]] = [perm[dim1]!, perm[dim0]!];
        dim1 = dim0;
      } else if (c < 0) break;
    }
  }
  if (perm.every((p, i) => p === n - 1 - i)) return null;
  const out = new Array<number>(n);
  let next = 1;
  for (const d of perm) {
    out[d] = next;
    next *= shape[d]!;
  }
  return out;
}

const rowMajor = (op: Operand): boolean => isRowMajor(op.shape, op.strides);

/**
 * An elementwise op's result from its row-major `values` (`shape`, `dtype`), laid out
 * as TensorIterator lays it out for `operands` (Note [Elementwise results keep the
 * inputs' layout]).
 */
export function elementwiseResult(
  values: FloatArray,
  shape: Shape,
  dtype: DType,
  operands: readonly Operand[],
): Tensor {
  const strides = iteratorStrides(shape, operands);
  if (strides === null) return Tensor.fromData(values, shape, dtype);
  const data = allocLike(values, values.length);
  scatterStrided(data, 0, shape, strides, values);
  return new Tensor(new Storage(data), shape, dtype, strides);
}

/** A unary pointwise op's result: `f` maps the input's row-major values to the result's, one for one. */
export function pointwise(t: Tensor, f: (x: FloatArray) => FloatArray, dtype: DType = t.dtype): Tensor {
  return elementwiseResult(f(t.contiguousData()), t.shape, dtype, [t]);
}
