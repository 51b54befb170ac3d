/**
 * Softmax and log-softmax kernels along one dimension, matching PyTorch 1.13's
 * CPU semantics.
 *
 * The input is viewed as `[outer, dimSize, inner]` (contiguous): the reduced
 * dimension has stride `inner`. Sums are accumulated in double; results are
 * stored in an array of the same type as the main input.
 *
 * NaN rules (as in PyTorch): the running maximum propagates NaN, so a NaN
 * anywhere in a slice makes the whole slice NaN; a slice whose maximum is
 * `+Infinity`, or whose entries are all `-Infinity`, is NaN as well
 * (`x - max` is NaN there).
 *
 * Float32 arrays of {@link SOFTMAX_FAST_MIN} elements or more
 * ({@link SOFTMAX_BACKWARD_FAST_MIN} for softmax backward) take the
 * WebAssembly kernels when installed (see ./fast): the same formulas with sums
 * in double, but a float32 exp (within 1 ulp of the rounded Math.exp), so
 * results agree with these to float32 rounding, not bit for bit.
 */
import { allocLike, type FloatArray } from '../core/dtype';
import { fastKernels } from './fast/index';
import type { WasmKernels } from './wasm/runtime';

/** Elements from which float32 softmax, log-softmax and log-softmax backward take the WebAssembly kernels. */
export const SOFTMAX_FAST_MIN = 64;

/** Elements from which float32 softmax backward (no exp: cheap in TypeScript) takes them. */
export const SOFTMAX_BACKWARD_FAST_MIN = 1024;

/** The fast kernels when `a` (and `b`) are float32 with at least `min` elements, else null. */
function fastFor(a: FloatArray, b: FloatArray | null = null, min = SOFTMAX_FAST_MIN): WasmKernels | null {
  return a.length >= min && a instanceof Float32Array && (!b || b instanceof Float32Array) ? fastKernels() : null;
}

/** NaN-propagating maximum of the slice starting at `base` with stride `inner`. */
function sliceMax(x: FloatArray, base: number, dimSize: number, inner: number): number {
  let m = -Infinity;
  for (let d = 0, i = base; d < dimSize; d++, i += inner) {
    const v = x[i];
    if (v > m || v !== v) m = v;
    if (m !== m) break;
  }
  return m;
}

/**
 * Softmax forward: `exp(x - max) / sum(exp(x - max))` along the middle
 * dimension.
 *
 * @returns `[outer, dimSize, inner]`, same array type as `x`.
 */
export function softmaxForward(x: FloatArray, outer: number, dimSize: number, inner: number): FloatArray {
  const fast = fastFor(x)?.softmax(x as Float32Array, outer, dimSize, inner, false);
  if (fast) return fast;
  const out = allocLike(x, outer * dimSize * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * dimSize * inner + j;
      const m = sliceMax(x, base, dimSize, inner);
      let sum = 0;
      for (let d = 0, i = base; d < dimSize; d++, i += inner) {
        const e = Math.exp(x[i] - m);
        out[i] = e;
        sum += e;
      }
      for (let d = 0, i = base; d < dimSize; d++, i += inner) out[i] = out[i] / sum;
    }
  }
  return out;
}

/**
 * Softmax backward, PyTorch's `_softmax_backward_data`:
 * `gradIn = out * (gradOut - sum(gradOut * out))` along the middle dimension.
 *
 * @param gradOut - Gradient of the softmax output.
 * @param out - The softmax output saved by the forward pass.
 * @returns `[outer, dimSize, inner]`, same array type as `gradOut`.
 */
export function softmaxBackward(
  gradOut: FloatArray,
  out: FloatArray,
  outer: number,
  dimSize: number,
  inner: number,
): FloatArray {
  const fast = fastFor(gradOut, out, SOFTMAX_BACKWARD_FAST_MIN)?.softmaxBackwardData(
    gradOut as Float32Array,
    out as Float32Array,
    outer,
    dimSize,
    inner,
    false,
  );
  if (fast) return fast;
  const gradIn = allocLike(gradOut, outer * dimSize * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * dimSize * inner + j;
      let dot = 0;
      for (let d = 0, i = base; d < dimSize; d++, i += inner) dot += gradOut[i] * out[i];
      for (let d = 0, i = base; d < dimSize; d++, i += inner) {
        gradIn[i] = out[i] * (gradOut[i] - dot);
      }
    }
  }
  return gradIn;
}

/**
 * Log-softmax forward, max-subtracted for stability:
 * `(x - max) - log(sum(exp(x - max)))` along the middle dimension.
 *
 * @returns `[outer, dimSize, inner]`, same array type as `x`.
 */
export function logSoftmaxForward(x: FloatArray, outer: number, dimSize: number, inner: number): FloatArray {
  const fast = fastFor(x)?.softmax(x as Float32Array, outer, dimSize, inner, true);
  if (fast) return fast;
  const out = allocLike(x, outer * dimSize * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * dimSize * inner + j;
      const m = sliceMax(x, base, dimSize, inner);
      let sum = 0;
      for (let d = 0, i = base; d < dimSize; d++, i += inner) sum += Math.exp(x[i] - m);
      const logSum = Math.log(sum);
      for (let d = 0, i = base; d < dimSize; d++, i += inner) out[i] = x[i] - m - logSum;
    }
  }
  return out;
}

/**
 * Log-softmax backward, PyTorch's `_log_softmax_backward_data`:
 * `gradIn = gradOut - exp(out) * sum(gradOut)` along the middle dimension.
 *
 * @param gradOut - Gradient of the log-softmax output.
 * @param out - The log-softmax output saved by the forward pass.
 * @returns `[outer, dimSize, inner]`, same array type as `gradOut`.
 */
export function logSoftmaxBackward(
  gradOut: FloatArray,
  out: FloatArray,
  outer: number,
  dimSize: number,
  inner: number,
): FloatArray {
  const fast = fastFor(gradOut, out)?.softmaxBackwardData(
    gradOut as Float32Array,
    out as Float32Array,
    outer,
    dimSize,
    inner,
    true,
  );
  if (fast) return fast;
  const gradIn = allocLike(gradOut, outer * dimSize * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * dimSize * inner + j;
      let sum = 0;
      for (let d = 0, i = base; d < dimSize; d++, i += inner) sum += gradOut[i];
      for (let d = 0, i = base; d < dimSize; d++, i += inner) {
        gradIn[i] = gradOut[i] - Math.exp(out[i]) * sum;
      }
    }
  }
  return gradIn;
}
