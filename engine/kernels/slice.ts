import { allocLike, type FloatArray } from '../core/dtype';
import type { Shape } from '../core/shape';
import { emptyLike, fastKernels } from './fast/index';

/** A box inside a tensor: `[start, end)` along every dimension. */
export type Region = readonly (readonly [number, number])[];

function regionShape(region: Region): number[] {
  return region.map(([s, e]) => e - s);
}

/**
 * Visits every element of `region` inside a row-major tensor of `shape`, calling
 * `f(flatIndexInTensor, flatIndexInRegion)`.
 */
export function forEachInRegion(shape: Shape, region: Region, f: (ti: number, ri: number) => void): void {
  const rs = regionShape(region);
  let total = 1;
  for (const s of rs) total *= s;
  if (total === 0) return;
  const n = shape.length;
  const strides = new Array<number>(n);
  let st = 1;
  for (let d = n - 1; d >= 0; d--) {
    strides[d] = st;
    st *= shape[d]!;
  }
  const idx = new Array<number>(n).fill(0);
  let ti = 0;
  for (let d = 0; d < n; d++) ti += region[d]![0] * strides[d]!;
  for (let k = 0; k < total; k++) {
    f(ti, k);
    for (let d = n - 1; d >= 0; d--) {
      idx[d]!++;
      ti += strides[d]!;
      if (idx[d]! < rs[d]!) break;
      ti -= strides[d]! * idx[d]!;
      idx[d] = 0;
    }
  }
}

/** Copies `region` of `x` out into a new contiguous array. */
export function readRegion(x: FloatArray, shape: Shape, region: Region): FloatArray {
  let total = 1;
  for (const [s, e] of region) total *= e - s;
  const out = allocLike(x, total);
  forEachInRegion(shape, region, (ti, ri) => {
    out[ri] = x[ti]!;
  });
  return out;
}

/** A zero tensor of `shape` with `values` written into `region` (the backward of a slice). */
export function scatterRegion(values: FloatArray, shape: Shape, region: Region): FloatArray {
  let total = 1;
  for (const s of shape) total *= s;
  const out = allocLike(values, total);
  forEachInRegion(shape, region, (ti, ri) => {
    out[ti] = values[ri]!;
  });
  return out;
}

/** A copy of `x` with `region` set to zero. */
export function zeroRegion(x: FloatArray, shape: Shape, region: Region): FloatArray {
  const out = x.slice();
  forEachInRegion(shape, region, (ti) => {
    out[ti] = 0;
  });
  return out;
}

/** Elements from which a float32 transpose takes the WebAssembly kernel (4x4 shuffles). */
const TRANSPOSE_FAST_MIN = 4096;

/** Transposes a row-major [rows, cols] matrix. */
export function transpose2d(x: FloatArray, rows: number, cols: number): FloatArray {
  const fast = x instanceof Float32Array && x.length >= TRANSPOSE_FAST_MIN ? fastKernels() : null;
  const r = fast ? fast.transpose(x as Float32Array, rows, cols) : null;
  if (r) return r;
  const out = emptyLike(x, rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j]!;
  return out;
}

/**
 * The elements of a strided view of `data` (`shape`, `strides`, `offset`) in
 * row-major order, into `out` (a new array like `data` when not given).
 */
export function gatherStrided(
  data: FloatArray,
  offset: number,
  shape: Shape,
  strides: readonly number[],
  out: FloatArray = allocLike(
    data,
    shape.reduce((a, b) => a * b, 1),
  ),
): FloatArray {
  const n = out.length;
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let src = offset;
  for (let k = 0; k < n; k++) {
    out[k] = data[src]!;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      src += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      src -= strides[d]! * idx[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** The inverse of `gatherStrided`: writes `values` (row-major) into the strided view of `data`. */
export function scatterStrided(
  data: FloatArray,
  offset: number,
  shape: Shape,
  strides: readonly number[],
  values: FloatArray,
): void {
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let dst = offset;
  for (let k = 0; k < values.length; k++) {
    data[dst] = values[k]!;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      dst += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      dst -= strides[d]! * idx[d]!;
      idx[d] = 0;
    }
  }
}

/** A row-major tensor of `shape` with its dims reordered: result dim i is input dim `perm[i]`. */
export function permuteData(x: FloatArray, shape: Shape, perm: readonly number[]): FloatArray {
  const strides = new Array<number>(shape.length);
  let st = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = st;
    st *= shape[d]!;
  }
  return gatherStrided(
    x,
    0,
    perm.map((p) => shape[p]!),
    perm.map((p) => strides[p]!),
  );
}
