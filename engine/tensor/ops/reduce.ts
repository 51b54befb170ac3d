import { mapped } from '../../core/arrays';
import { allocLike, type DType } from '../../core/dtype';
import { normalizeDim, type Shape } from '../../core/shape';
import { sumDims } from '../../kernels/elementwise';
import { runtimeError } from '../../core/errors';
import { record, save } from '../record';
import { Tensor } from '../tensor';

/** Normalizes `dim` (int, list or null) to sorted unique dims; null means all. */
export function reductionDims(dim: number | readonly number[] | null, ndim: number): number[] | null {
  if (dim === null) return null;
  const list = typeof dim === 'number' ? [dim] : [...dim];
  const out = list.map((d) => normalizeDim(d, ndim));
  for (let i = 0; i < out.length; i++) {
    if (out.indexOf(out[i]!) !== i) throw runtimeError(`dim ${out[i]} appears multiple times in the list of dims`);
  }
  return out.sort((a, b) => a - b);
}

/**
 * `t.sum()` is SumBackward0; `t.sum(dim=None, keepdim=True)` and, in PyTorch 1.13,
 * an empty dim list reduce every dim through the dim overload (SumBackward1).
 */
function fullIfEmpty(dims: number[] | null, keepdim: boolean, ndim: number): number[] | null {
  if ((dims === null && keepdim) || (dims !== null && dims.length === 0))
    return Array.from({ length: ndim }, (_, i) => i);
  return dims;
}

function reduce(
  t: Tensor,
  dims: number[] | null,
  keepdim: boolean,
): { data: Float32Array | Float64Array; kept: Shape; out: Shape } {
  // Note [One elements kind per array site] (core/arrays.ts): these shapes reach the kernels on every step.
  const all = dims === null ? mapped(t.shape, (_, i) => i) : dims.filter((d) => d < t.ndim);
  const kept = mapped(t.shape, (s, i) => (all.includes(i) ? 1 : s));
  const out = keepdim ? kept : t.shape.filter((_, i) => !all.includes(i));
  const src = t.contiguousData();
  const data = all.length === 0 ? src.slice() : sumDims(src, t.shape, all);
  return { data, kept, out: dims === null && !keepdim ? [] : out };
}

/** `t.sum()` (SumBackward0) or `t.sum(dim, keepdim)` (SumBackward1). */
export function sum(t: Tensor, dim: number | readonly number[] | null = null, keepdim = false): Tensor {
  const dims = fullIfEmpty(reductionDims(dim, t.ndim), keepdim, t.ndim);
  const r = reduce(t, dims, keepdim);
  const out = Tensor.fromData(r.data, r.out, t.dtype);
  if (dims === null) return record(out, 'SumBackward0', [t], () => ({ shape: t.shape }));
  return record(out, 'SumBackward1', [t], () => ({ shape: t.shape, keptShape: r.kept }));
}

/** `mean()`'s refusal of an int64 tensor (shape inference uses it too). */
export function checkMeanDtype(dtype: DType): void {
  if (dtype === 'int64') {
    throw runtimeError(
      'mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long',
    );
  }
}

/** `t.mean()` (MeanBackward0) or `t.mean(dim, keepdim)` (MeanBackward1). */
export function mean(t: Tensor, dim: number | readonly number[] | null = null, keepdim = false): Tensor {
  checkMeanDtype(t.dtype);
  const dims = fullIfEmpty(reductionDims(dim, t.ndim), keepdim, t.ndim);
  const r = reduce(t, dims, keepdim);
  const count = dims === null ? t.numel : dims.reduce((c, d) => c * (t.shape[d] ?? 1), 1);
  const data = allocLike(r.data, r.data.length);
  for (let i = 0; i < data.length; i++) data[i] = r.data[i]! / count;
  const out = Tensor.fromData(data, r.out, t.dtype);
  if (dims === null) return record(out, 'MeanBackward0', [t], () => ({ shape: t.shape, count }));
  // PyTorch 1.13's MeanBackward1 saves `self` (its formula takes self.numel()), so an in-place change to it breaks backward.
  return record(out, 'MeanBackward1', [t], () => ({ self: save(t), shape: t.shape, keptShape: r.kept, count }));
}
