/**
 * Transpose and Permute are views, as in PyTorch: they share the input's storage with
 * the strides swapped or reordered, and a reshape of such a view is a view again
 * exactly when PyTorch's computeStride finds strides for it. Expected strides and
 * view-or-copy outcomes are PyTorch 1.13's (x.stride(), y._base is x), written beside.
 */
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../engine/tensor/tensor';
import { clone, expand, permute, reshape, slice, transpose } from '../../../engine/tensor/ops/view';
import * as E from '../../../engine/tensor/ops/elementwise';

const arange = (shape: number[]) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromData(
    Float32Array.from({ length: n }, (_, i) => i),
    shape,
    'float32',
  );
};

describe('transpose and permute are strided views', () => {
  it('transpose(0, 2) of [2, 3, 4]: same storage, strides (1, 4, 12)', () => {
    const x = arange([2, 3, 4]);
    const t = transpose(x, 0, 2);
    expect(t.storage).toBe(x.storage);
    expect(t.shape).toEqual([4, 3, 2]);
    expect(t.strides).toEqual([1, 4, 12]);
    expect(t.isContiguous).toBe(false);
    // t[i][j][k] = x[k][j][i] = 12k + 4j + i
    expect(t.toArray().slice(0, 4)).toEqual([0, 12, 4, 16]);
  });

  it('permute(2, 0, 1) of [2, 3, 4]: same storage, strides (1, 12, 4)', () => {
    const x = arange([2, 3, 4]);
    const p = permute(x, [2, 0, 1]);
    expect(p.storage).toBe(x.storage);
    expect(p.strides).toEqual([1, 12, 4]);
  });

  it('reshape of a transposed view: a view when a size-1 dim moved, a copy otherwise', () => {
    const a = arange([3, 1, 4]);
    const v = reshape(transpose(a, 0, 1), [12]); // PyTorch: y._base is x -> True, stride (1,)
    expect(v.storage).toBe(a.storage);
    expect(v.strides).toEqual([1]);
    const b = arange([2, 3]);
    const c = reshape(transpose(b, 0, 1), [6]); // PyTorch: a copy
    expect(c.storage).not.toBe(b.storage);
    expect(c.toArray()).toEqual([0, 3, 1, 4, 2, 5]);
  });
});

describe('clone keeps a dense layout (memory_format=torch.preserve_format)', () => {
  // PyTorch 1.13: v.clone().stride() for each v below, written beside.
  it('a permute or transpose of a whole tensor keeps its strides, in a storage of its own', () => {
    const x = arange([2, 3, 4]);
    const p = clone(permute(x, [2, 0, 1]), 'preserve');
    expect(p.storage).not.toBe(x.storage);
    expect(p.strides).toEqual([1, 12, 4]); // (1, 12, 4)
    expect(p.toArray()).toEqual(permute(x, [2, 0, 1]).toArray());
    expect(clone(transpose(x, 0, 2), 'preserve').strides).toEqual([1, 4, 12]); // (1, 4, 12)
    // a size-1 dim keeps whatever stride it had: [3, 1, 2] with (1, 6, 3)
    const u = reshape(transpose(arange([2, 3]), 0, 1), [3, 1, 2]);
    expect(u.strides).toEqual([1, 6, 3]);
    expect(clone(u, 'preserve').strides).toEqual([1, 6, 3]); // (1, 6, 3)
  });

  it('a slice, a step or an expand is copied row-major', () => {
    const x = arange([2, 3, 4]);
    expect(clone(slice(x, 1, 1, 3), 'preserve').strides).toEqual([8, 4, 1]); // (8, 4, 1)
    expect(clone(expand(arange([3]), [2, 3]), 'preserve').strides).toEqual([3, 1]); // (3, 1)
  });

  it('a reshape after the clone copies where it is a view of a row-major copy', () => {
    const t = transpose(arange([3, 3]), 0, 1);
    const kept = clone(t, 'preserve');
    const flatKept = reshape(kept, [-1]);
    expect(flatKept.storage).not.toBe(kept.storage); // a copy, as PyTorch's x.t().clone().reshape(-1)
    const rowMajor = clone(t); // t.contiguous()
    expect(reshape(rowMajor, [-1]).storage).toBe(rowMajor.storage);
    expect(flatKept.toArray()).toEqual(rowMajor.toArray());
  });
});

describe("elementwise results keep the inputs' layout (TensorIterator)", () => {
  // PyTorch 1.13: the result's .stride() for each, written beside.
  const x = () => transpose(arange([3, 4]), 0, 1); // [4, 3], strides (1, 4)
  const c = () => arange([4, 3]);
  it('unary and scalar ops on a transpose or permute keep its strides', () => {
    expect(E.exp(x()).strides).toEqual([1, 4]); // x.t().exp(): (1, 4)
    expect(E.addScalar(x(), 1).strides).toEqual([1, 4]); // x.t() + 1: (1, 4)
    expect(E.exp(permute(arange([2, 3, 4]), [2, 0, 1])).strides).toEqual([1, 12, 4]); // (1, 12, 4)
    expect(E.exp(transpose(slice(arange([5, 4]), 0, 1, 4), 0, 1)).strides).toEqual([1, 4]); // (1, 4)
    // [3, 1] with strides (1, 3) is contiguous (size-1 dims aside): (1, 1)
    expect(E.exp(transpose(arange([1, 3]), 0, 1)).isContiguous).toBe(true);
  });

  it('binary ops follow the first operand that tells the dims apart', () => {
    expect(E.add(c(), x()).strides).toEqual([3, 1]); // c + x.t(): (3, 1)
    expect(E.add(x(), c()).strides).toEqual([1, 4]); // x.t() + c: (1, 4)
    expect(E.add(arange([4, 1]), x()).strides).toEqual([1, 4]); // y[4, 1] + x.t(): (1, 4)
    const p = permute(arange([2, 3, 4]), [2, 0, 1]);
    expect(E.add(p, arange([4, 2, 3])).strides).toEqual([1, 12, 4]); // (1, 12, 4)
    const e = expand(arange([3, 1]), [3, 4]);
    expect(E.add(e, transpose(arange([4, 3]), 0, 1)).strides).toEqual([1, 3]); // expand + t: (1, 3)
  });

  it('the values are the row-major ones, whatever the layout', () => {
    const r = E.add(x(), c());
    expect(r.toArray()).toEqual(E.add(clone(x()), c()).toArray());
  });
});
