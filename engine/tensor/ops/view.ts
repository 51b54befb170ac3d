import { runtimeError } from '../../core/errors';
import { Storage } from '../../core/storage';
import { contiguousStrides, normalizeDim, numel, sameShape, type Shape } from '../../core/shape';
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

function aliasOf(t: Tensor, shape: Shape, strides: readonly number[] = contiguousStrides(shape)): Tensor {
  return new Tensor(t.storage, shape, t.dtype, strides, t.offset, t);
}

/**
 * The strides that view a tensor of `shape`/`strides` as `newShape` without
 * copying, or null when no view can (PyTorch's `computeStride`, which decides
 * between a view and a copy in `view` and `reshape`).
 */
export function computeStride(shape: Shape, strides: readonly number[], newShape: Shape): number[] | null {
  if (shape.length === 0) return newShape.map(() => 1);
  const n = numel(shape);
  if (n === 0 && sameShape(shape, newShape)) return [...strides];
  if (n === 0) return contiguousStrides(newShape);
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d]!;
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}

/** `t.view(shape)` (ViewBackward0); t must be contiguous. */
export function view(t: Tensor, shape: readonly number[]): Tensor {
  const s = inferShape(shape, t.numel);
  const strides = computeStride(t.shape, t.strides, s);
  if (!strides) {
    throw runtimeError(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across two " +
        'contiguous subspaces). Use .reshape(...) instead.',
    );
  }
  return record(aliasOf(t, s, strides), 'ViewBackward0', [t], () => ({ shape: t.shape }));
}

/**
 * `t.reshape(shape)`: a view (ReshapeAliasBackward0, as PyTorch 1.13 on the CPU)
 * when the layout allows it (see {@link computeStride}), else a copy (CloneBackward0 + UnsafeViewBackward0).
 */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  const s = inferShape(shape, t.numel);
  const strides = computeStride(t.shape, t.strides, s);
  if (strides) return record(aliasOf(t, s, strides), 'ReshapeAliasBackward0', [t], () => ({ shape: t.shape }));
  const c = clone(t);
  // `_unsafe_view` of the copy: it shares the copy's storage but is not a view (PyTorch's `_is_view()`
  // is False), so an in-place op on it rebases its own history, not the copy's (no CopySlices).
  const out = new Tensor(c.storage, s, c.dtype, undefined, c.offset);
  return record(out, 'UnsafeViewBackward0', [c], () => ({ shape: c.shape }));
}

/** `torch.flatten(t, start_dim, end_dim)`: returns t itself when there is nothing to merge. */
export function flatten(t: Tensor, startDim = 0, endDim = -1): Tensor {
  const shape = flattenShape(t.shape, startDim, endDim);
  if (t.ndim === 0) return reshape(t, [1]);
  return shape.length === t.ndim ? t : reshape(t, shape);
}

/** The shape `flatten` gives, with its checks (shape inference uses it too). */
export function flattenShape(shape: readonly number[], startDim: number, endDim: number): number[] {
  // PyTorch wraps both dims first (a 0-d tensor takes -1 and 0), then flattens a 0-d tensor to [1].
  const a = normalizeDim(startDim, shape.length);
  const b = normalizeDim(endDim, shape.length);
  if (shape.length === 0) return [1];
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
  const stride = d >= t.ndim ? 1 : t.shape[d]! * t.strides[d]!;
  const strides = [...t.strides.slice(0, d), stride, ...t.strides.slice(d)];
  return record(aliasOf(t, shape, strides), 'UnsqueezeBackward0', [t], () => ({ shape: t.shape }));
}

/** `t.squeeze(dim)`, a view (SqueezeBackward1); `squeezeInPlace` is `squeeze_` (SqueezeBackward3). */
export function squeeze(t: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, t.ndim);
  const keep = (_: number, i: number) => t.shape[d] !== 1 || i !== d;
  const out = aliasOf(t, t.shape.filter(keep), t.strides.filter(keep));
  return record(out, 'SqueezeBackward1', [t], () => ({ shape: t.shape }));
}

/**
 * `t.squeeze_(dim)` of a tensor nothing else holds (matmul's 1-D·2-D product): the same
 * storage with the dim dropped, not a view, its version bumped as by any in-place op
 * (SqueezeBackward3).
 */
export function squeezeInPlace(t: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, t.ndim);
  const keep = (_: number, i: number) => t.shape[d] !== 1 || i !== d;
  const out = new Tensor(t.storage, t.shape.filter(keep), t.dtype, t.strides.filter(keep), t.offset);
  record(out, 'SqueezeBackward3', [t], () => ({ shape: t.shape }));
  t.storage.bumpVersion();
  return out;
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

/**
 * `t.contiguous()` (format 'contiguous') or `t.clone()` ('preserve'): new storage, stays in the
 * graph (CloneBackward0).
 *
 * Note [Clone keeps the layout]: `torch.clone`'s default `memory_format=torch.preserve_format`
 * gives a tensor whose elements fill their storage with no gaps and no overlaps (a transpose or
 * permute of a whole tensor) a copy with the same strides; anything else is copied row-major. So
 * `x.t().clone()` is not contiguous, and a Flatten or Reshape after it copies (UnsafeViewBackward0)
 * instead of making a view: an in-place op after that Flatten leaves the clone alone, as in PyTorch.
 */
export function clone(t: Tensor, format: 'contiguous' | 'preserve' = 'contiguous'): Tensor {
  const out =
    format === 'preserve' && !t.isContiguous && isDense(t.shape, t.strides)
      ? new Tensor(new Storage(t.storage.data.slice(t.offset, t.offset + t.numel)), t.shape, t.dtype, t.strides)
      : Tensor.fromData(t.contiguousData().slice(), t.shape, t.dtype);
  return record(out, 'CloneBackward0', [t], () => null);
}

/**
 * PyTorch's `is_non_overlapping_and_dense`: some order of the dims (by stride; size-1 dims last)
 * has the strides of a contiguous tensor, so the elements fill `numel` consecutive places.
 */
export function isDense(shape: Shape, strides: readonly number[]): boolean {
  if (shape.length === 1) return shape[0]! < 2 || strides[0] === 1;
  const order = shape
    .map((_, i) => i)
    .sort((a, b) => {
      if (shape[a]! < 2 || shape[b]! < 2) return shape[a]! < 2 ? (shape[b]! < 2 ? 0 : 1) : -1;
      return strides[a]! - strides[b]! || a - b;
    });
  let need = 1;
  for (const i of order) {
    if (shape[i]! < 2) return true;
    if (strides[i] !== need) return false;
    need *= shape[i]!;
  }
  return true;
}

/** `t.transpose(dim0, dim1)`: a view with two dims swapped (TransposeBackward0). */
export function transpose(t: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim(dim0, t.ndim);
  const b = normalizeDim(dim1, t.ndim);
  const perm = t.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return record(permuted(t, perm), 'TransposeBackward0', [t], () => ({ dim0: a, dim1: b }));
}

/** `t.permute(dims)`: a view with the dims reordered (PermuteBackward0). */
export function permute(t: Tensor, dims: readonly number[]): Tensor {
  const perm = permuteDims(t.ndim, dims);
  return record(permuted(t, perm), 'PermuteBackward0', [t], () => ({ dims: perm }));
}

/** The dims of `permute` made non-negative, with PyTorch's checks (shape inference uses it too). */
export function permuteDims(ndim: number, dims: readonly number[]): number[] {
  if (dims.length !== ndim) {
    throw runtimeError(
      'permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ' +
        `ordering of dimensions i.e. input.dim() = ${ndim} is not equal to len(dims) = ${dims.length}`,
    );
  }
  const seen = new Set<number>();
  return dims.map((dim) => {
    const d = normalizeDim(dim, ndim);
    if (seen.has(d)) throw runtimeError('permute(): duplicate dims are not allowed.');
    seen.add(d);
    return d;
  });
}

function permuted(t: Tensor, perm: readonly number[]): Tensor {
  const shape = perm.map((p) => t.shape[p]!);
  return aliasOf(
    t,
    shape,
    perm.map((p) => t.strides[p]!),
  );
}

/** `t.expand(shape)`: a view repeating size-1 dims with stride 0 (ExpandBackward0); `shape` is valid. */
export function expand(t: Tensor, shape: Shape): Tensor {
  const lead = shape.length - t.ndim;
  const strides = shape.map((s, i) => (i < lead || (t.shape[i - lead] === 1 && s !== 1) ? 0 : t.strides[i - lead]!));
  return record(aliasOf(t, shape, strides), 'ExpandBackward0', [t], () => ({ shape: t.shape }));
}
