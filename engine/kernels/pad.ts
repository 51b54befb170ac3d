/**
 * 2-D padding kernels over the last two dims of a tensor viewed as
 * `[planes, h, w]` (planes = product of the leading dims), with PyTorch's
 * semantics for the `constant`, `reflect`, `replicate` and `circular` modes.
 *
 * Output shape is `[planes, h + top + bottom, w + left + right]`. Padding
 * amounts must be >= 0; their validity against the input size (e.g. reflect
 * needs pad < size) is checked by the op layer, not here.
 *
 * Backwards scatter-add: they walk the output gradient in row-major order and
 * do `gradIn[src] += gradOut[o]` directly in the element type of `gradOut`,
 * which is the order and precision of PyTorch's CPU reflection/replication
 * backward kernels.
 */
import { allocLike, type FloatArray } from '../core/dtype';
import { emptyLike, fastKernels } from './fast/index';

/**
 * Elements from which padding takes the WebAssembly kernel. Its copies are
 * memory-speed; the loop below, writing rows into the kernels' shared memory
 * with `TypedArray.set` at offsets that are not 8-byte aligned, took V8's
 * slow path for shared buffers (1.6 ms per step of W3's 8x16x64x64 reflect
 * padding; build/bench/README.md, session 22).
 */
const PAD_FAST_MIN = 4096;

/** Padding amounts (elements) on each side of the last two dims; all >= 0. */
export interface Pad2d {
  /** Columns added before the first column. */
  left: number;
  /** Columns added after the last column. */
  right: number;
  /** Rows added before the first row. */
  top: number;
  /** Rows added after the last row. */
  bottom: number;
}

/** Maps output index i (0 <= i < size + before + after) to an input index. */
type IndexRule = (s: number, size: number) => number;

/** reflect: mirror without repeating the edge (-1 -> 1, size -> size-2). */
const reflectIndex: IndexRule = (s, size) => {
  if (s < 0) return -s;
  if (s >= size) return 2 * (size - 1) - s;
  return s;
};

/** replicate: clamp to the edge. */
const replicateIndex: IndexRule = (s, size) => (s < 0 ? 0 : s >= size ? size - 1 : s);

/** circular: wrap around, (s mod size) in [0, size). */
const circularIndex: IndexRule = (s, size) => ((s % size) + size) % size;

/** Builds the output->input index map of one dim. */
function indexMap(size: number, before: number, after: number, rule: IndexRule): Int32Array {
  const outSize = size + before + after;
  const map = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) map[i] = rule(i - before, size);
  return map;
}

/**
 * Gathers out[p, i, j] = x[p, mapH[i], mapW[j]]. The interior columns of a
 * row (where mapW is the identity shifted by `left`) are one block copy.
 */
function gather(
  x: FloatArray,
  planes: number,
  h: number,
  w: number,
  mapH: Int32Array,
  mapW: Int32Array,
  left: number,
): FloatArray {
  const fast = x instanceof Float32Array && x.length >= PAD_FAST_MIN ? fastKernels() : null;
  const r = fast ? fast.padGather(x as Float32Array, planes, h, w, mapH, mapW, left) : null;
  if (r) return r;
  const hOut = mapH.length,
    wOut = mapW.length;
  const out = emptyLike(x, planes * hOut * wOut); // every element is written below
  const right = left + w;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let i = 0; i < hOut; i++) {
      const row = base + mapH[i] * w;
      for (let j = 0; j < left; j++) out[o + j] = x[row + mapW[j]];
      if (w >= 32) out.set(x.subarray(row, row + w), o + left);
      else for (let j = left; j < right; j++) out[o + j] = x[row + j - left];
      for (let j = right; j < wOut; j++) out[o + j] = x[row + mapW[j]];
      o += wOut;
    }
  }
  return out;
}

/** Scatter-adds gradIn[p, mapH[i], mapW[j]] += gradOut[p, i, j] in row-major output order. */
function scatter(
  gradOut: FloatArray,
  planes: number,
  h: number,
  w: number,
  mapH: Int32Array,
  mapW: Int32Array,
): FloatArray {
  const hOut = mapH.length,
    wOut = mapW.length;
  const gradIn = allocLike(gradOut, planes * h * w);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let i = 0; i < hOut; i++) {
      const row = base + mapH[i] * w;
      for (let j = 0; j < wOut; j++) gradIn[row + mapW[j]] += gradOut[o++];
    }
  }
  return gradIn;
}

/**
 * Constant padding (`F.pad(x, (left, right, top, bottom), value=value)`).
 * Returns `[planes, h+top+bottom, w+left+right]` with the element type of `x`.
 */
export function constantPad2d(
  x: FloatArray,
  planes: number,
  h: number,
  w: number,
  p: Pad2d,
  value: number,
): FloatArray {
  const hOut = h + p.top + p.bottom,
    wOut = w + p.left + p.right;
  const out = allocLike(x, planes * hOut * wOut);
  if (value !== 0) out.fill(value);
  for (let q = 0; q < planes; q++) {
    const src = q * h * w;
    const dst = q * hOut * wOut + p.top * wOut + p.left;
    for (let i = 0; i < h; i++) {
      const s = src + i * w,
        d = dst + i * wOut;
      for (let j = 0; j < w; j++) out[d + j] = x[s + j];
    }
  }
  return out;
}

/**
 * Gradient of {@link constantPad2d}: the interior of `gradOut`
 * (`[planes, h+top+bottom, w+left+right]`). Returns `[planes, h, w]` with the
 * element type of `gradOut`.
 */
export function constantPad2dBackward(gradOut: FloatArray, planes: number, h: number, w: number, p: Pad2d): FloatArray {
  const hOut = h + p.top + p.bottom,
    wOut = w + p.left + p.right;
  const gradIn = allocLike(gradOut, planes * h * w);
  for (let q = 0; q < planes; q++) {
    const dst = q * h * w;
    const src = q * hOut * wOut + p.top * wOut + p.left;
    for (let i = 0; i < h; i++) {
      const s = src + i * wOut,
        d = dst + i * w;
      for (let j = 0; j < w; j++) gradIn[d + j] += gradOut[s + j];
    }
  }
  return gradIn;
}

/**
 * Reflection padding (`mode='reflect'`): the edge is not repeated, so input
 * index -1 maps to 1 and index `size` maps to `size - 2`. Requires each pad
 * < the size of its dim (checked by the caller). Returns
 * `[planes, h+top+bottom, w+left+right]` with the element type of `x`.
 */
export function reflectionPad2d(x: FloatArray, planes: number, h: number, w: number, p: Pad2d): FloatArray {
  return gather(
    x,
    planes,
    h,
    w,
    indexMap(h, p.top, p.bottom, reflectIndex),
    indexMap(w, p.left, p.right, reflectIndex),
    p.left,
  );
}

/**
 * Gradient of {@link reflectionPad2d}: scatter-add of `gradOut` into the
 * mirrored source positions. Returns `[planes, h, w]`.
 */
export function reflectionPad2dBackward(
  gradOut: FloatArray,
  planes: number,
  h: number,
  w: number,
  p: Pad2d,
): FloatArray {
  return scatter(
    gradOut,
    planes,
    h,
    w,
    indexMap(h, p.top, p.bottom, reflectIndex),
    indexMap(w, p.left, p.right, reflectIndex),
  );
}

/**
 * Replication padding (`mode='replicate'`): indices are clamped to the edge.
 * Returns `[planes, h+top+bottom, w+left+right]` with the element type of `x`.
 */
export function replicationPad2d(x: FloatArray, planes: number, h: number, w: number, p: Pad2d): FloatArray {
  return gather(
    x,
    planes,
    h,
    w,
    indexMap(h, p.top, p.bottom, replicateIndex),
    indexMap(w, p.left, p.right, replicateIndex),
    p.left,
  );
}

/**
 * Gradient of {@link replicationPad2d}: scatter-add of `gradOut` into the
 * clamped source positions. Returns `[planes, h, w]`.
 */
export function replicationPad2dBackward(
  gradOut: FloatArray,
  planes: number,
  h: number,
  w: number,
  p: Pad2d,
): FloatArray {
  return scatter(
    gradOut,
    planes,
    h,
    w,
    indexMap(h, p.top, p.bottom, replicateIndex),
    indexMap(w, p.left, p.right, replicateIndex),
  );
}

/**
 * Circular padding (`mode='circular'`): output index i of a dim maps to input
 * index `(i - before) mod size`. PyTorch requires each pad <= the size of its
 * dim (checked by the caller); larger pads simply wrap more than once here.
 * Returns `[planes, h+top+bottom, w+left+right]` with the element type of `x`.
 */
export function circularPad2d(x: FloatArray, planes: number, h: number, w: number, p: Pad2d): FloatArray {
  return gather(
    x,
    planes,
    h,
    w,
    indexMap(h, p.top, p.bottom, circularIndex),
    indexMap(w, p.left, p.right, circularIndex),
    p.left,
  );
}

/**
 * Gradient of {@link circularPad2d}: scatter-add of `gradOut` into the
 * wrapped source positions. Returns `[planes, h, w]`.
 */
export function circularPad2dBackward(gradOut: FloatArray, planes: number, h: number, w: number, p: Pad2d): FloatArray {
  return scatter(
    gradOut,
    planes,
    h,
    w,
    indexMap(h, p.top, p.bottom, circularIndex),
    indexMap(w, p.left, p.right, circularIndex),
  );
}
