/**
 * Negative log-likelihood loss kernels with PyTorch 1.13 `nll_loss` /
 * `nll_loss2d` CPU semantics.
 *
 * The input (log-probabilities) is viewed as `[n, c, spatial]`, contiguous,
 * where `spatial` is the product of the trailing dimensions (1 for `[n, c]`
 * or `[c]` input). The target holds int64 class indices stored in a
 * `Float64Array` of shape `[n, spatial]`.
 *
 * Call {@link checkNllTargets} before the forward kernel: the kernels assume
 * every non-ignored target lies in `[0, c)`.
 */
import { allocLike, type FloatArray } from '../core/dtype';

/** PyTorch's loss reduction modes. */
export type Reduction = 'none' | 'mean' | 'sum';

/**
 * Returns `null` when every target is `ignoreIndex` or lies in `[0, c)`;
 * otherwise PyTorch's `IndexError` message for the first offending target in
 * row-major order, e.g. `"Target 5 is out of bounds."`.
 *
 * As in PyTorch, an ignored target is never range-checked (so
 * `ignoreIndex = -1` makes `-1` legal), and the same check and message apply to
 * every reduction and to both `nll_loss` and `nll_loss2d`.
 */
export function checkNllTargets(target: Float64Array, c: number, ignoreIndex: number): string | null {
  for (let i = 0; i < target.length; i++) {
    const t = target[i];
    if (t === ignoreIndex) continue;
    if (!(t >= 0 && t < c)) return `Target ${t} is out of bounds.`;
  }
  return null;
}

/**
 * NLL loss forward.
 *
 * - `'none'`: `out[b, s] = -weight[t] * input[b, t, s]` (length `n * spatial`),
 *   0 where the target equals `ignoreIndex`.
 * - `'sum'`: the sum of those terms (length 1).
 * - `'mean'`: the sum divided by the total weight of the non-ignored targets
 *   (their count when `weight` is null). A total weight of 0 (every target
 *   ignored, empty input, or zero weights) gives `0 / 0 = NaN`, as PyTorch 1.13
 *   does; weights cancelling to 0 give ±Infinity.
 *
 * Sums are accumulated in double.
 *
 * @returns `out` (same array type as `input`) and `totalWeight` (0 for
 *   `'none'`; for Float32 input, rounded to float32 like PyTorch's
 *   `total_weight` tensor). Pass `totalWeight` to {@link nllLossBackward}.
 */
export function nllLossForward(
  input: FloatArray,
  target: Float64Array,
  weight: FloatArray | null,
  n: number,
  c: number,
  spatial: number,
  reduction: Reduction,
  ignoreIndex: number,
): { out: FloatArray; totalWeight: number } {
  const sample = c * spatial;
  if (reduction === 'none') {
    const out = allocLike(input, n * spatial);
    for (let b = 0; b < n; b++) {
      for (let s = 0; s < spatial; s++) {
        const k = b * spatial + s;
        const t = target[k];
        if (t === ignoreIndex) continue;
        const w = weight === null ? 1 : weight[t];
        out[k] = -input[b * sample + t * spatial + s] * w;
      }
    }
    return { out, totalWeight: 0 };
  }
  let loss = 0;
  let tw = 0;
  for (let b = 0; b < n; b++) {
    for (let s = 0; s < spatial; s++) {
      const t = target[b * spatial + s];
      if (t === ignoreIndex) continue;
      const x = input[b * sample + t * spatial + s];
      if (weight === null) {
        loss -= x;
        tw += 1;
      } else {
        const w = weight[t];
        loss -= x * w;
        tw += w;
      }
    }
  }
  if (input instanceof Float32Array) {
    // PyTorch holds both sums in the tensor's scalar type before dividing.
    tw = Math.fround(tw);
    loss = Math.fround(loss);
  }
  const out = allocLike(input, 1);
  out[0] = reduction === 'mean' ? loss / tw : loss;
  return { out, totalWeight: tw };
}

/**
 * NLL loss backward. The result is zero except at `[b, target[b, s], s]` for
 * non-ignored targets:
 *
 * - `'none'`: `-weight[t] * gradOut[b, s]` (`gradOut` has length `n * spatial`).
 * - `'sum'` / `'mean'`: `weight[t] * g` with `g = -gradOut[0]` for sum and
 *   `g = -(gradOut[0] / totalWeight)` for mean, computed in the tensor's
 *   precision first as PyTorch does. With a zero total weight this is
 *   `0 * Infinity = NaN` at zero-weight targets (gradients of ignored targets
 *   stay 0).
 *
 * @param totalWeight - The `totalWeight` returned by {@link nllLossForward}.
 * @param like - The forward input; fixes the result's array type.
 * @returns `[n, c, spatial]`, same array type as `like`.
 */
export function nllLossBackward(
  gradOut: FloatArray,
  target: Float64Array,
  weight: FloatArray | null,
  n: number,
  c: number,
  spatial: number,
  reduction: Reduction,
  ignoreIndex: number,
  totalWeight: number,
  like: FloatArray,
): FloatArray {
  const sample = c * spatial;
  const gradIn = allocLike(like, n * sample);
  if (reduction === 'none') {
    for (let b = 0; b < n; b++) {
      for (let s = 0; s < spatial; s++) {
        const k = b * spatial + s;
        const t = target[k];
        if (t === ignoreIndex) continue;
        const w = weight === null ? 1 : weight[t];
        gradIn[b * sample + t * spatial + s] = -w * gradOut[k];
      }
    }
    return gradIn;
  }
  let g = reduction === 'mean' ? gradOut[0] / totalWeight : gradOut[0];
  if (like instanceof Float32Array) g = Math.fround(g);
  g = -g;
  for (let b = 0; b < n; b++) {
    for (let s = 0; s < spatial; s++) {
      const t = target[b * spatial + s];
      if (t === ignoreIndex) continue;
      gradIn[b * sample + t * spatial + s] = weight === null ? g : weight[t] * g;
    }
  }
  return gradIn;
}
