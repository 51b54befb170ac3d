/**
 * 2-D max and average pooling kernels, matching PyTorch 1.13's CPU kernels
 * (`cpu_max_pool`, `cpu_avg_pool` and their backward passes).
 *
 * The input is viewed as `[planes, h, w]`, contiguous, where `planes` is
 * `N * C` for batched input or `C` for unbatched input. Outputs are
 * `[planes, hOut, wOut]`.
 *
 * Float32 input takes the WebAssembly kernels when installed (see ./fast),
 * with the same semantics (branch-free selects instead of branches).
 */
import { allocLike, type FloatArray } from '../core/dtype';
import { fastKernels } from './fast/index';

import type { Pool2dGeometry } from './geometry';
export type { Pool2dGeometry } from './geometry';

/**
 * PyTorch's `pooling_output_shape`:
 * `floor((in + 2*pad - dil*(k-1) - 1 + (ceil ? stride-1 : 0)) / stride) + 1`,
 * where the division rounds toward negative infinity. In ceil mode the last
 * window must start inside the input or the left padding; if
 * `(out - 1) * stride >= in + pad` the size is reduced by one.
 *
 * The result may be zero or negative; the caller raises PyTorch's
 * "Output size is too small" error in that case.
 */
export function poolOutputSize(
  inSize: number,
  k: number,
  pad: number,
  stride: number,
  dil: number,
  ceilMode: boolean,
): number {
  const numer = inSize + 2 * pad - dil * (k - 1) - 1 + (ceilMode ? stride - 1 : 0);
  let out = Math.floor(numer / stride) + 1;
  if (ceilMode && (out - 1) * stride >= inSize + pad) {
    out -= 1;
  }
  return out;
}

/**
 * Max pooling forward.
 *
 * Each window is scanned row-major over valid (non-padding) positions; a value
 * replaces the running maximum when `val > max || isNaN(val)`. Hence the FIRST
 * maximum wins among ties, while among NaNs the LAST NaN in scan order wins
 * (as in PyTorch). The running maximum starts at `-Infinity` with the index of
 * the first valid position, so an all `-Infinity` window selects that position.
 *
 * With dilation a window may contain no input cell at all (e.g. width 1,
 * kernel 2, padding 1, dilation 2). PyTorch then outputs `-Infinity` with the
 * index `ih0 * w + iw0`, where `ih0`/`iw0` are the window starts advanced by
 * whole dilation steps until non-negative; that index may lie outside the
 * plane, and is reproduced as is.
 *
 * @returns `out` (`[planes, hOut, wOut]`, same array type as `x`) and
 *   `indices`, the flat `ih * w + iw` position within the plane, as PyTorch
 *   returns them.
 */
export function maxPool2dForward(x: FloatArray, g: Pool2dGeometry): { out: FloatArray; indices: Int32Array } {
  const fast = fastKernels();
  if (fast && x instanceof Float32Array && g.planes * g.hOut * g.wOut > 0) {
    const r = fast.maxPoolForward(x, g);
    if (r) return r;
  }
  const { planes, h, w, kH, kW, strideH, strideW, padH, padW, dilH, dilW, hOut, wOut } = g;
  const planeIn = h * w;
  const planeOut = hOut * wOut;
  const out = allocLike(x, planes * planeOut);
  const indices = new Int32Array(planes * planeOut);
  for (let p = 0; p < planes; p++) {
    const inBase = p * planeIn;
    let o = p * planeOut;
    for (let oh = 0; oh < hOut; oh++) {
      let ih0 = oh * strideH - padH;
      const ih1 = Math.min(ih0 + (kH - 1) * dilH + 1, h);
      while (ih0 < 0) ih0 += dilH;
      for (let ow = 0; ow < wOut; ow++) {
        let iw0 = ow * strideW - padW;
        const iw1 = Math.min(iw0 + (kW - 1) * dilW + 1, w);
        while (iw0 < 0) iw0 += dilW;
        let maxIndex = ih0 * w + iw0;
        let maxVal = -Infinity;
        for (let ih = ih0; ih < ih1; ih += dilH) {
          const row = ih * w;
          for (let iw = iw0; iw < iw1; iw += dilW) {
            const idx = row + iw;
            const val = x[inBase + idx];
            if (val > maxVal || val !== val) {
              maxVal = val;
              maxIndex = idx;
            }
          }
        }
        out[o] = maxVal;
        indices[o] = maxIndex;
        o++;
      }
    }
  }
  return { out, indices };
}

/**
 * Max pooling backward: scatter-adds each output gradient into the input
 * position recorded in `indices` (in output order), giving `[planes, h, w]`.
 *
 * Like PyTorch, the write goes to `plane * h * w + index` in the flat buffer.
 * With dilation a window can contain no input cell; its index then points past
 * the plane (see {@link maxPool2dForward}) and PyTorch's gradient lands in the
 * next plane. That is reproduced; a write past the end of the buffer (which
 * PyTorch performs out of bounds) is dropped.
 *
 * @returns A new array of the same type as `gradOut`.
 */
export function maxPool2dBackward(gradOut: FloatArray, indices: Int32Array, g: Pool2dGeometry): FloatArray {
  const fast = fastKernels();
  if (fast && gradOut instanceof Float32Array && g.planes * g.h * g.w > 0) {
    const r = fast.maxPoolBackward(gradOut, indices, g);
    if (r) return r;
  }
  const planeIn = g.h * g.w;
  const planeOut = g.hOut * g.wOut;
  const total = g.planes * planeIn;
  const gradIn = allocLike(gradOut, total);
  for (let p = 0; p < g.planes; p++) {
    const inBase = p * planeIn;
    const outBase = p * planeOut;
    for (let o = 0; o < planeOut; o++) {
      const idx = inBase + indices[outBase + o];
      if (idx < total) gradIn[idx] = gradIn[idx] + gradOut[outBase + o];
    }
  }
  return gradIn;
}

/**
 * PyTorch's average-pool divisor for the window starting at (`ih0`, `iw0`)
 * (already offset by padding): the window is first clipped to the padded
 * input (`min(start + k, size + pad)`), giving the count_include_pad size, then
 * clipped to the input for the `count_include_pad = false` size;
 * `divisorOverride` wins over both.
 */
function avgDivisor(
  ih0: number,
  iw0: number,
  g: Pool2dGeometry,
  countIncludePad: boolean,
  divisorOverride: number | null,
): number {
  if (divisorOverride !== null) return divisorOverride;
  let ih1 = Math.min(ih0 + g.kH, g.h + g.padH);
  let iw1 = Math.min(iw0 + g.kW, g.w + g.padW);
  if (countIncludePad) return (ih1 - ih0) * (iw1 - iw0);
  ih1 = Math.min(ih1, g.h);
  iw1 = Math.min(iw1, g.w);
  return (ih1 - Math.max(ih0, 0)) * (iw1 - Math.max(iw0, 0));
}

/**
 * Average pooling forward (dilation must be 1).
 *
 * Sums the valid positions of each window (accumulated in double) and divides
 * by PyTorch's divisor: `divisorOverride` if given; otherwise the window size
 * clipped to `[−pad, size + pad)` when `countIncludePad`, or the number of
 * valid input positions when not. A window with no valid positions (not
 * reachable with PyTorch's shape rules) yields 0.
 *
 * @returns `[planes, hOut, wOut]`, same array type as `x`.
 */
export function avgPool2dForward(
  x: FloatArray,
  g: Pool2dGeometry,
  countIncludePad: boolean,
  divisorOverride: number | null,
): FloatArray {
  const fast = fastKernels();
  if (fast && x instanceof Float32Array && g.planes * g.hOut * g.wOut > 0) {
    const r = fast.avgPoolForward(x, g, countIncludePad, divisorOverride);
    if (r) return r;
  }
  const { planes, h, w, kH, kW, strideH, strideW, padH, padW, hOut, wOut } = g;
  const planeIn = h * w;
  const planeOut = hOut * wOut;
  const out = allocLike(x, planes * planeOut);
  for (let p = 0; p < planes; p++) {
    const inBase = p * planeIn;
    let o = p * planeOut;
    for (let oh = 0; oh < hOut; oh++) {
      const ihStart = oh * strideH - padH;
      const ih0 = Math.max(ihStart, 0);
      const ih1 = Math.min(ihStart + kH, h);
      for (let ow = 0; ow < wOut; ow++) {
        const iwStart = ow * strideW - padW;
        const iw0 = Math.max(iwStart, 0);
        const iw1 = Math.min(iwStart + kW, w);
        if (ih0 >= ih1 || iw0 >= iw1) {
          o++;
          continue;
        }
        let sum = 0;
        for (let ih = ih0; ih < ih1; ih++) {
          const row = inBase + ih * w;
          for (let iw = iw0; iw < iw1; iw++) sum += x[row + iw];
        }
        out[o] = sum / avgDivisor(ihStart, iwStart, g, countIncludePad, divisorOverride);
        o++;
      }
    }
  }
  return out;
}

/**
 * Average pooling backward (dilation must be 1): each output gradient divided
 * by the same divisor as the forward pass is added to every valid input
 * position of its window.
 *
 * @returns `[planes, h, w]`, same array type as `gradOut`.
 */
export function avgPool2dBackward(
  gradOut: FloatArray,
  g: Pool2dGeometry,
  countIncludePad: boolean,
  divisorOverride: number | null,
): FloatArray {
  const fast = fastKernels();
  if (fast && gradOut instanceof Float32Array && g.planes * g.h * g.w > 0) {
    const r = fast.avgPoolBackward(gradOut, g, countIncludePad, divisorOverride);
    if (r) return r;
  }
  const { planes, h, w, kH, kW, strideH, strideW, padH, padW, hOut, wOut } = g;
  const planeIn = h * w;
  const planeOut = hOut * wOut;
  const gradIn = allocLike(gradOut, planes * planeIn);
  const f32 = gradOut instanceof Float32Array;
  for (let p = 0; p < planes; p++) {
    const inBase = p * planeIn;
    let o = p * planeOut;
    for (let oh = 0; oh < hOut; oh++) {
      const ihStart = oh * strideH - padH;
      const ih0 = Math.max(ihStart, 0);
      const ih1 = Math.min(ihStart + kH, h);
      for (let ow = 0; ow < wOut; ow++) {
        const iwStart = ow * strideW - padW;
        const iw0 = Math.max(iwStart, 0);
        const iw1 = Math.min(iwStart + kW, w);
        if (ih0 >= ih1 || iw0 >= iw1) {
          o++;
          continue;
        }
        const q = gradOut[o] / avgDivisor(ihStart, iwStart, g, countIncludePad, divisorOverride);
        // PyTorch computes grad_delta in the tensor's scalar type.
        const delta = f32 ? Math.fround(q) : q;
        for (let ih = ih0; ih < ih1; ih++) {
          const row = inBase + ih * w;
          for (let iw = iw0; iw < iw1; iw++) gradIn[row + iw] = gradIn[row + iw] + delta;
        }
        o++;
      }
    }
  }
  return gradIn;
}
