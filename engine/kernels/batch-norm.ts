/**
 * The numerics of batch normalisation on a contiguous `[N, C, H, W]` input, as
 * PyTorch 1.13 computes them on the CPU (ATen's `batch_norm_cpu` and
 * `batch_norm_backward_cpu`, which take the kernels of
 * native/cpu/batch_norm_kernel.cpp for contiguous inputs).
 *
 * Note [Batch norm roundings]
 * ~~~~~~~~~~~~~~~~~~~~~~~~~~~
 * Each value is rounded where ATen rounds it (checked bit for bit against
 * PyTorch 1.13 on random inputs), so float32 results equal PyTorch's:
 * - statistics (`batch_norm_cpu_collect_stats_contiguous_impl`): the channel's
 *   sum in double, `mean = float(sum / N)`; `var_sum` sums, in double, the
 *   float products `(x - mean) * (x - mean)`, then is stored as a float;
 * - `save_invstd = float(1 / sqrt(double(float(var_sum / N)) + eps))` (InvStd in
 *   double); running_mean `m * mean + (1 - m) * running_mean` in float;
 *   running_var with the unbiased `float(var_sum / (N - 1))` times the float
 *   momentum in double;
 * - output `x * alpha + beta` with `alpha = invstd * w`, `beta = b - mean * alpha`,
 *   both fused multiply-adds (AVX2 kernels); in eval mode the forward's
 *   `invstd = 1 / sqrt(running_var + float(eps))` in float, the backward's in double;
 * - backward: per image, `vec::reduce_all` sums 8 lanes (the last partial vector
 *   into the first lanes) and folds them as a tree (lanes i + 4, then i + 2, then
 *   i + 1); the dot product `(x - mean) * dy` accumulates with fused
 *   multiply-adds; images add up in double. grad_input is
 *   `((dy - grad_mean) - (x - mean) * k) * invstd * w`, one fused multiply-add.
 * float64 (gradient checks) runs the same steps without rounding.
 */
import { allocLike, type FloatArray } from '../core/dtype';

type Round = (x: number) => number;
const same: Round = (x) => x;
const roundFor = (a: FloatArray): Round => (a instanceof Float32Array ? Math.fround : same);

/** `[N, C, H*W]`: the batch, the channels and the size of one image. */
export interface BatchNormGeometry {
  readonly n: number;
  readonly c: number;
  readonly hw: number;
}

/** Per-channel statistics (float32 values in a Float64Array when the input is float32). */
export interface BatchStats {
  readonly mean: Float64Array;
  readonly varSum: Float64Array;
}

/** `batch_norm_cpu_collect_stats_contiguous_impl`: each channel's mean and sum of squared deviations. */
export function batchNormStats(x: FloatArray, g: BatchNormGeometry): BatchStats {
  const r = roundFor(x);
  const mean = new Float64Array(g.c);
  const varSum = new Float64Array(g.c);
  const count = g.n * g.hw;
  for (let c = 0; c < g.c; c++) {
    let sum = 0;
    for (let n = 0; n < g.n; n++) {
      const o = (n * g.c + c) * g.hw;
      for (let i = 0; i < g.hw; i++) sum += x[o + i]!;
    }
    const m = r(sum / count);
    let vs = 0;
    for (let n = 0; n < g.n; n++) {
      const o = (n * g.c + c) * g.hw;
      for (let i = 0; i < g.hw; i++) {
        const d = r(x[o + i]! - m);
        vs += r(d * d);
      }
    }
    mean[c] = m;
    varSum[c] = r(vs);
  }
  return { mean, varSum };
}

/** `save_invstd` of each channel from the batch statistics (ATen's InvStd). See Note [Batch norm roundings]. */
export function batchInvstd(s: BatchStats, count: number, eps: number, r: Round): Float64Array {
  return s.varSum.map((vs) => {
    const v = r(vs / count);
    return v !== 0 || eps !== 0 ? r(1 / Math.sqrt(v + eps)) : 0;
  });
}

/**
 * Updates running_mean and running_var in place with `momentum` (the
 * exponential average factor) from the batch statistics of `count` values per channel.
 */
export function updateRunningStats(
  s: BatchStats,
  count: number,
  momentum: number,
  runningMean: FloatArray | null,
  runningVar: FloatArray | null,
): void {
  const r = roundFor(runningMean ?? runningVar ?? new Float64Array(0));
  const m = r(momentum);
  const keep = r(1 - m);
  for (let c = 0; c < s.mean.length; c++) {
    if (runningMean) runningMean[c] = r(r(m * s.mean[c]!) + r(keep * runningMean[c]!));
    if (runningVar) {
      const unbiased = r(s.varSum[c]! / (count - 1));
      runningVar[c] = r(m * unbiased + r(keep * runningVar[c]!));
    }
  }
}

/** The forward's invstd in eval mode: `1 / sqrt(running_var + eps)` in the input's dtype. */
export function evalInvstd(runningVar: FloatArray, eps: number, r: Round): Float64Array {
  return Float64Array.from(runningVar, (v) => r(1 / r(Math.sqrt(r(v + r(eps))))));
}

/** `output = x * alpha + beta` per channel (`batch_norm_cpu_contiguous_impl`). */
export function batchNormApply(
  x: FloatArray,
  g: BatchNormGeometry,
  mean: ArrayLike<number>,
  invstd: ArrayLike<number>,
  weight: FloatArray | null,
  bias: FloatArray | null,
): FloatArray {
  const r = roundFor(x);
  const out = allocLike(x, x.length);
  for (let c = 0; c < g.c; c++) {
    const alpha = r(invstd[c]! * (weight ? weight[c]! : 1));
    const beta = r((bias ? bias[c]! : 0) - mean[c]! * alpha);
    for (let n = 0; n < g.n; n++) {
      const o = (n * g.c + c) * g.hw;
      for (let i = 0; i < g.hw; i++) out[o + i] = r(x[o + i]! * alpha + beta);
    }
  }
  return out;
}

const LANES = 8;

/** Folds 8 lanes as AVX2's vec_reduce_all does: lanes i + 4, then i + 2, then i + 1. */
function foldLanes(acc: Float64Array, r: Round): number {
  const a0 = r(acc[0]! + acc[4]!);
  const a1 = r(acc[1]! + acc[5]!);
  const a2 = r(acc[2]! + acc[6]!);
  const a3 = r(acc[3]! + acc[7]!);
  return r(r(a0 + a2) + r(a1 + a3));
}

/**
 * `vec::reduce_all` (`+`) of `dy[o .. o + size)`, or with `x` given `vec::map2_reduce_all`
 * of `(x - mean) * dy`, each lane accumulating with a fused multiply-add. Fewer values than
 * the lanes are added in order. See Note [Batch norm roundings].
 */
function reduceAll(
  dy: FloatArray,
  x: FloatArray | null,
  mean: number,
  o: number,
  size: number,
  acc: Float64Array,
  r: Round,
): number {
  const term = (i: number, a: number) => (x ? r(a + r(x[o + i]! - mean) * dy[o + i]!) : r(a + dy[o + i]!));
  if (size < LANES) {
    let s = term(0, 0);
    for (let i = 1; i < size; i++) s = r(s + term(i, 0));
    return s;
  }
  for (let l = 0; l < LANES; l++) acc[l] = term(l, 0);
  for (let d = LANES; d < size; d += LANES) {
    const m = Math.min(LANES, size - d);
    for (let l = 0; l < m; l++) acc[l] = term(d + l, acc[l]!);
  }
  return foldLanes(acc, r);
}

/** What the backward needs besides the gradient: the saved (train) or running (eval) statistics. */
export interface BatchNormBackwardArgs {
  readonly geometry: BatchNormGeometry;
  readonly train: boolean;
  /** save_mean (train) or running_mean (eval). */
  readonly mean: ArrayLike<number>;
  /** save_invstd (train); in eval mode the running variance, from which invstd is made in double. */
  readonly invstdOrVar: ArrayLike<number>;
  readonly eps: number;
}

/** `batch_norm_cpu_backward_contiguous_impl`: the gradients of input, weight and bias (null where not needed). */
export function batchNormBackward(
  dy: FloatArray,
  x: FloatArray,
  weight: FloatArray | null,
  a: BatchNormBackwardArgs,
  needs: readonly boolean[],
): [FloatArray | null, FloatArray | null, FloatArray | null] {
  const r = roundFor(dy);
  const { n: nb, c: nc, hw } = a.geometry;
  const count = nb * hw;
  const gi = needs[0] ? allocLike(dy, dy.length) : null;
  const gw = needs[1] ? allocLike(dy, nc) : null;
  const gb = needs[2] ? allocLike(dy, nc) : null;
  const lanes = new Float64Array(LANES);
  for (let c = 0; c < nc; c++) {
    const w = weight ? weight[c]! : 1;
    const mean = a.mean[c]!;
    const invstd = a.train ? a.invstdOrVar[c]! : r(1 / Math.sqrt(a.invstdOrVar[c]! + a.eps));
    let sum = 0;
    let dotp = 0;
    for (let n = 0; n < nb; n++) {
      const o = (n * nc + c) * hw;
      sum += reduceAll(dy, null, 0, o, hw, lanes, r);
      dotp += reduceAll(dy, x, mean, o, hw, lanes, r);
    }
    if (gi) {
      const k = r(r(r(r(dotp) * invstd) * invstd) / r(count));
      const gradMean = r(sum / count);
      for (let n = 0; n < nb; n++) {
        const o = (n * nc + c) * hw;
        for (let i = 0; i < hw; i++) {
          const j = o + i;
          const d = a.train ? r(r(dy[j]! - gradMean) - r(x[j]! - mean) * k) : dy[j]!;
          gi[j] = r(r(d * invstd) * w);
        }
      }
    }
    if (gw) gw[c] = r(dotp * invstd);
    if (gb) gb[c] = r(sum);
  }
  return [gi, gw, gb];
}
