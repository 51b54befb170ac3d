import { runtimeError } from '../../core/errors';
import { contiguousStrides, normalizeDim, numel, type Shape } from '../../core/shape';
import type { Region } from '../../kernels/slice';
import { record } from '../record';
import { Tensor } from '../tensor';

/** Resolves a shape with at most one -1 against `size` elements, with PyTorch's messages. */
export function inferShape(shape: readonly number[], size: number): number[] {
  let infer = -1;
  let known = 1;
  shape.forEach((s, i) => {
    if (s === -1) {
      if (infer >= 0) throw runtimeError('only one dimension can be inferred');
      infer = i;
    } else if (s < 0 || !Number.isInteger(s)) {
      throw runtimeError(`invalid shape dimension ${s}`);
    } else known *= s;
  });
  const out = [...shape];
  if (infer >= 0) {
    if (known === 0 || size % known !== 0) {
      throw runtimeError(`shape '[${shape.join(', ')}]' is invalid for input of size ${size}`);
    }
    out[infer] = size / known;
  } else if (known !== size) {
    throw runtimeError(`shape '[${shape.join(', ')}]' is invalid for input of size ${size}`);
  }
  return out;
}

function aliasOf(t: Tensor, shape: Shape): Tensor {
  return new Tensor(t.storage, shape, t.dtype, contiguousStrides(shape), t.offset, t);
}

/** `t.view(shape)` (ViewBackward0); t must be contiguous. */
export function view(t: Tensor, shape: readonly number[]): Tensor {
  const s = inferShape(shape, t.numel);
  if (!t.isContiguous) {
    throw runtimeError(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across two " +
        'contiguous subspaces). Use .reshape(...) instead.',
    );
  }
  return record(aliasOf(t, s), 'ViewBackward0', [t], () => ({ shape: t.shape }));
}

/**
 * `t.reshape(shape)`: a view (ReshapeAliasBackward0, as PyTorch 1.13 on the CPU)
 * when the layout allows it, else a copy (CloneBackward0 + UnsafeViewBackward0).
 */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  const s = inferShape(shape, t.numel);
  if (t.isContiguous) return record(aliasOf(t, s), 'ReshapeAliasBackward0', [t], () => ({ shape: t.shape }));
  const c = clone(t);
  return record(aliasOf(c, s), 'UnsafeViewBackward0', [c], () => ({ shape: c.shape }));
}

/** `torch.flatten(t, start_dim, end_dim)`: returns t itself when there is nothing to merge. */
export function flatten(t: Tensor, startDim = 0, endDim = -1): Tensor {
  if (t.ndim === 0) return reshape(t, [1]);
  const shape = flattenShape(t.shape, startDim, endDim);
  return shape.length === t.ndim ? t : reshape(t, shape);
}

/** The shape `flatten` gives, with its checks (shape inference uses it too). */
export function flattenShape(shape: readonly number[], startDim: number, endDim: number): number[] {
  if (shape.length === 0) return [1];
  const a = normalizeDim(startDim, shape.length);
  const b = normalizeDim(endDim, shape.length);
  if (a > b) throw runtimeError('flatten() has invalid args: start_dim cannot come after end_dim');
  return [...shape.slice(0, a), numel(shape.slice(a, b + 1)), ...shape.slice(b + 1)];
}

/** `t.t()` of a 2-D tensor: a strided view (TBackward0). */
export function transpose2d(t: Tensor): Tensor {
  if (t.ndim !== 2) throw runtimeError(`t() expects a tensor with <= 2 dimensions, but self is ${t.ndim}D`);
  const out = new Tensor(t.storage, [t.shape[1]!, t.shape[0]!], t.dtype, [t.strides[1]!, t.strides[0]!], t.offset, t);
  return record(out, 'TBackward0', [t], () => ({ shape: t.shape }));
}

/** `t.unsqueeze(dim)` (UnsqueezeBackward0). */
export function unsqueeze(t: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, t.ndim + 1);
  const shape = [...t.shape.slice(0, d), 1, ...t.shape.slice(d)];
  const c = t.isContiguous ? aliasOf(t, shape) : aliasOf(clone(t), shape);
  return record(c, 'UnsqueezeBackward0', [t], () => ({ shape: t.shape }));
}

/** `t.squeeze(dim)`: SqueezeBackward1 (or SqueezeBackward3 for the dims-list overload used by F.linear). */
export function squeeze(
  t: Tensor,
  dim: number,
  name: 'SqueezeBackward1' | 'SqueezeBackward3' = 'SqueezeBackward1',
): Tensor {
  const d = normalizeDim(dim, t.ndim);
  const shape = t.shape[d] === 1 ? t.shape.filter((_, i) => i !== d) : [...t.shape];
  const c = t.isContiguous ? aliasOf(t, shape) : aliasOf(clone(t), shape);
  return record(c, name, [t], () => ({ shape: t.shape }));
}

/** `t[region]` as a view, one dim at a time like `t.slice(dim, start, end)` (SliceBackward0). */
export function slice(t: Tensor, dim: number, start: number, end: number): Tensor {
  const d = normalizeDim(dim, t.ndim);
  const shape = [...t.shape];
  shape[d] = Math.max(0, end - start);
  const out = new Tensor(t.storage, shape, t.dtype, t.strides, t.offset + start * t.strides[d]!, t);
  const region: Region = t.shape.map((s, i): readonly [number, number] => (i === d ? [start, end] : [0, s]));
  return record(out, 'SliceBackward0', [t], () => ({ shape: t.shape, region }));
}

/** `t.clone()`: new storage, stays in the graph (CloneBackward0). */
export function clone(t: Tensor): Tensor {
  const out = Tensor.fromData(t.contiguousData().slice(), t.shape, t.dtype);
  return record(out, 'CloneBackward0', [t], () => null);
}
