/**
 * Elementwise kernels: broadcasting binary and unary maps with a callback, and
 * specialised loops for the hot ops (ReLU and its gradient, division by a
 * scalar, expansion, full reductions), which avoid a call per element.
 * Float32 ReLU takes the WebAssembly kernels when installed (see ./fast), and
 * so do large float32 `+ - * /` of same-shape tensors or with a scalar
 * ({@link binaryOp}, {@link scalarOp}), with bit-identical results.
 */
import { allocLike, type FloatArray } from '../core/dtype';
import type { Shape } from '../core/shape';
import { emptyLike, fastKernels } from './fast/index';
import type { BinaryOp } from './geometry';

export type { BinaryOp } from './geometry';

/** Elements below which the WebAssembly path is not worth the copies. */
const FAST_MIN = 2048;

/** Elements from which `+ - * /` take the WebAssembly kernels (a single cheap op per element pays for the copies only then). */
export const ARITH_FAST_MIN = 16384;

/** `F.relu`: `x > 0 || isNaN(x) ? x : 0` (NaN propagates, -0 becomes 0). */
export function reluForward(x: FloatArray): FloatArray {
  const fast = x.length >= FAST_MIN && x instanceof Float32Array ? fastKernels() : null;
  const r = fast ? fast.reluForward(x as Float32Array) : null;
  if (r) return r;
  const out = allocLike(x, x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = v > 0 || v !== v ? v : 0;
  }
  return out;
}

/** ReluBackward0 from the saved result: `result <= 0 ? 0 : g` (same length). */
export function reluBackward(g: FloatArray, result: FloatArray): FloatArray {
  const fast =
    g.length >= FAST_MIN && g instanceof Float32Array && result instanceof Float32Array ? fastKernels() : null;
  const r = fast ? fast.reluBackward(g as Float32Array, result as Float32Array) : null;
  if (r) return r;
  const out = allocLike(g, g.length);
  for (let i = 0; i < g.length; i++) out[i] = result[i]! <= 0 ? 0 : g[i]!;
  return out;
}

/** `out[i] = a[i] / s` (computed in double, stored in the element type of `a`). */
export function divScalarArray(a: FloatArray, s: number): FloatArray {
  return scalarOp('div', a, s);
}

/**
 * `out[i] = a[i] op s`, or `s op a[i]` when `reversed` (computed in double,
 * stored in the element type of `a`): `t * 2.5`, `t / n`, `-t` as `t * -1`.
 */
export function scalarOp(op: BinaryOp, a: FloatArray, s: number, reversed = false): FloatArray {
  const fast = a.length >= ARITH_FAST_MIN && a instanceof Float32Array ? fastKernels() : null;
  const r = fast ? fast.scalarOp(op, a as Float32Array, s, reversed) : null;
  if (r) return r;
  const out = allocLike(a, a.length);
  const n = a.length;
  if (reversed) {
    if (op === 'add') for (let i = 0; i < n; i++) out[i] = s + a[i]!;
    else if (op === 'sub') for (let i = 0; i < n; i++) out[i] = s - a[i]!;
    else if (op === 'mul') for (let i = 0; i < n; i++) out[i] = s * a[i]!;
    else for (let i = 0; i < n; i++) out[i] = s / a[i]!;
  } else if (op === 'add') for (let i = 0; i < n; i++) out[i] = a[i]! + s;
  else if (op === 'sub') for (let i = 0; i < n; i++) out[i] = a[i]! - s;
  else if (op === 'mul') for (let i = 0; i < n; i++) out[i] = a[i]! * s;
  else for (let i = 0; i < n; i++) out[i] = a[i]! / s;
  return out;
}

/** `-a` (as `a * -1`, which is the same for every value). */
export function negArray(a: FloatArray): FloatArray {
  return scalarOp('mul', a, -1);
}

/** Strides for reading an input of shape `inShape` while iterating `outShape` (0 on broadcast dims). */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const n = outShape.length;
  const lead = n - inShape.length;
  const strides = new Array<number>(n).fill(0);
  let s = 1;
  for (let i = inShape.length - 1; i >= 0; i--) {
    strides[i + lead] = inShape[i] === 1 ? 0 : s;
    s *= inShape[i]!;
  }
  return strides;
}

function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const OP_FN: Record<BinaryOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
};

/**
 * {@link binaryBroadcast} for `+ - * /`: the same results, with one loop per
 * op (no call per element) when both operands have the output's shape or one
 * is a single element; other broadcasts take the general path.
 */
export function binaryOp(
  op: BinaryOp,
  a: FloatArray,
  aShape: Shape,
  b: FloatArray,
  bShape: Shape,
  outShape: Shape,
  like: FloatArray = a,
): FloatArray {
  let total = 1;
  for (const s of outShape) total *= s;
  const sameA = a.length === total && sameShape(aShape, outShape);
  const sameB = b.length === total && sameShape(bShape, outShape);
  if (!((sameA && (sameB || b.length === 1)) || (sameB && a.length === 1))) {
    return binaryBroadcast(a, aShape, b, bShape, outShape, OP_FN[op], like);
  }
  if (
    total >= ARITH_FAST_MIN &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    like instanceof Float32Array
  ) {
    const fast = fastKernels();
    const r = !fast
      ? null
      : sameA && sameB
        ? fast.binaryOp(op, a, b)
        : sameA
          ? fast.scalarOp(op, a, b[0]!, false)
          : fast.scalarOp(op, b, a[0]!, true);
    if (r) return r;
  }
  const out = allocLike(like, total);
  if (sameA && sameB) {
    if (op === 'add') for (let i = 0; i < total; i++) out[i] = a[i]! + b[i]!;
    else if (op === 'sub') for (let i = 0; i < total; i++) out[i] = a[i]! - b[i]!;
    else if (op === 'mul') for (let i = 0; i < total; i++) out[i] = a[i]! * b[i]!;
    else for (let i = 0; i < total; i++) out[i] = a[i]! / b[i]!;
  } else if (sameA) {
    const y = b[0]!;
    if (op === 'add') for (let i = 0; i < total; i++) out[i] = a[i]! + y;
    else if (op === 'sub') for (let i = 0; i < total; i++) out[i] = a[i]! - y;
    else if (op === 'mul') for (let i = 0; i < total; i++) out[i] = a[i]! * y;
    else for (let i = 0; i < total; i++) out[i] = a[i]! / y;
  } else {
    const x = a[0]!;
    if (op === 'add') for (let i = 0; i < total; i++) out[i] = x + b[i]!;
    else if (op === 'sub') for (let i = 0; i < total; i++) out[i] = x - b[i]!;
    else if (op === 'mul') for (let i = 0; i < total; i++) out[i] = x * b[i]!;
    else for (let i = 0; i < total; i++) out[i] = x / b[i]!;
  }
  return out;
}

/**
 * `out[i] = f(a[ia], b[ib])` over the broadcast shape `outShape`. Same-shape and
 * scalar operands take fast paths.
 */
export function binaryBroadcast(
  a: FloatArray,
  aShape: Shape,
  b: FloatArray,
  bShape: Shape,
  outShape: Shape,
  f: (x: number, y: number) => number,
  like: FloatArray = a,
): FloatArray {
  let total = 1;
  for (const s of outShape) total *= s;
  const out = allocLike(like, total);
  if (sameShape(aShape, outShape) && sameShape(bShape, outShape)) {
    for (let i = 0; i < total; i++) out[i] = f(a[i]!, b[i]!);
    return out;
  }
  if (b.length === 1 && sameShape(aShape, outShape)) {
    const y = b[0]!;
    for (let i = 0; i < total; i++) out[i] = f(a[i]!, y);
    return out;
  }
  if (a.length === 1 && sameShape(bShape, outShape)) {
    const x = a[0]!;
    for (let i = 0; i < total; i++) out[i] = f(x, b[i]!);
    return out;
  }
  const n = outShape.length;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const idx = new Array<number>(n).fill(0);
  let ia = 0;
  let ib = 0;
  for (let k = 0; k < total; k++) {
    out[k] = f(a[ia]!, b[ib]!);
    for (let d = n - 1; d >= 0; d--) {
      idx[d]!++;
      ia += sa[d]!;
      ib += sb[d]!;
      if (idx[d]! < outShape[d]!) break;
      ia -= sa[d]! * idx[d]!;
      ib -= sb[d]! * idx[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** `out[i] = f(a[i])`. */
export function unary(a: FloatArray, f: (x: number) => number): FloatArray {
  const out = allocLike(a, a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]!);
  return out;
}

/** Expands `g` of shape `inShape` (broadcastable) to `outShape`. */
export function expandTo(g: FloatArray, inShape: Shape, outShape: Shape): FloatArray {
  let total = 1;
  for (const s of outShape) total *= s;
  if (g.length === total) return g.slice();
  if (g.length === 1) return emptyLike(g, total).fill(g[0]!);
  const zero = allocLike(g, 1);
  return binaryBroadcast(g, inShape, zero, [1], outShape, (x) => x, g);
}

/**
 * Sums `x` of `shape` over the dimensions in `dims` (sorted, normalized), keeping
 * them as size-1 dims in the result (reshape to drop them).
 */
export function sumDims(x: FloatArray, shape: Shape, dims: readonly number[]): FloatArray {
  if (shape.every((s, i) => s === 1 || dims.includes(i))) {
    // Every dim reduced: a double sum, eight lanes in the WebAssembly kernel (sum_all), else ascending.
    const fast = x.length >= FAST_MIN && x instanceof Float32Array ? fastKernels() : null;
    let t = fast ? fast.sumAll(x as Float32Array) : null;
    if (t === null) {
      t = 0;
      for (let k = 0; k < x.length; k++) t += x[k]!;
    }
    const res = allocLike(x, 1);
    res[0] = t;
    return res;
  }
  const outShape = shape.map((s, i) => (dims.includes(i) ? 1 : s));
  let total = 1;
  for (const s of outShape) total *= s;
  const out = new Float64Array(total);
  const so = broadcastStrides(outShape, shape);
  const n = shape.length;
  const idx = new Array<number>(n).fill(0);
  let io = 0;
  for (let k = 0; k < x.length; k++) {
    out[io] = out[io]! + x[k]!;
    for (let d = n - 1; d >= 0; d--) {
      idx[d]!++;
      io += so[d]!;
      if (idx[d]! < shape[d]!) break;
      io -= so[d]! * idx[d]!;
      idx[d] = 0;
    }
  }
  const res = allocLike(x, total);
  res.set(out);
  return res;
}
