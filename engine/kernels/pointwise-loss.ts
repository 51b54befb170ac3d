/**
 * The numerics of MSELoss and BCEWithLogitsLoss, forward beside backward, on
 * inputs already broadcast to one shape. Each step is rounded to the output's
 * dtype in the order of PyTorch 1.13's CPU code (`mse_stub`, `mse_backward_stub`,
 * `binary_cross_entropy_with_logits` and its two backward functions), so float32
 * values round as ATen's do. A gradient `g` of one element is the gradient of a
 * reduced loss, broadcast to every element.
 */
import { allocLike, type FloatArray } from '../core/dtype';

type Round = (x: number) => number;
const same: Round = (x) => x;
const roundFor = (out: FloatArray): Round => (out instanceof Float32Array ? Math.fround : same);
const at = (g: FloatArray, i: number): number => (g.length === 1 ? g[0]! : g[i]!);

/** `(x - t)^2` element by element (ATen's `mse_stub`). */
export function mseForward(x: FloatArray, t: FloatArray, out: FloatArray): FloatArray {
  const r = roundFor(out);
  for (let i = 0; i < out.length; i++) {
    const d = r(x[i]! - t[i]!);
    out[i] = d * d;
  }
  return out;
}

/**
 * `mse_loss_backward`: `norm * (x - t) * g` with `norm` = 2 / numel for 'mean', else 2,
 * held in the gradient's dtype. The target's gradient is this with x and t swapped.
 */
export function mseBackward(g: FloatArray, x: FloatArray, t: FloatArray, norm: number): FloatArray {
  const out = allocLike(g, x.length);
  const r = roundFor(out);
  const n = r(norm);
  for (let i = 0; i < out.length; i++) out[i] = r(n * r(x[i]! - t[i]!)) * at(g, i);
  return out;
}

/** `log(sigmoid(v))` as ATen's `log_sigmoid` computes it: `min(v, 0) - log1p(exp(-|v|))`. */
function logSigmoid(v: number, r: Round): number {
  return r(Math.min(v, 0) - r(Math.log1p(r(Math.exp(-Math.abs(v))))));
}

/**
 * The unreduced loss of `binary_cross_entropy_with_logits`, PyTorch 1.13's stable form:
 * with m = max(-x, 0), `(1 - t) * x + lw * (log(exp(-m) + exp(-x - m)) + m)`, where
 * lw = 1 + (pos_weight - 1) * t (1 without pos_weight), then times `weight`.
 * `pw` and `w` are broadcast to x's shape already (or null).
 */
export function bceWithLogitsForward(
  x: FloatArray,
  t: FloatArray,
  pw: FloatArray | null,
  w: FloatArray | null,
  out: FloatArray,
): FloatArray {
  const r = roundFor(out);
  for (let i = 0; i < out.length; i++) {
    const xi = x[i]!;
    const ti = t[i]!;
    const nx = -xi;
    const m = nx < 0 ? 0 : nx; // clamp_min(-x, 0), NaN stays NaN
    const lse = r(Math.log(r(r(Math.exp(-m)) + r(Math.exp(r(nx - m))))));
    const linear = r(r(1 - ti) * xi);
    let loss: number;
    if (pw) {
      const lw = r(r(r(pw[i]! - 1) * ti) + 1);
      loss = r(linear + r(lw * r(lse + m)));
    } else {
      loss = r(r(linear + m) + lse);
    }
    out[i] = w ? r(loss * w[i]!) : loss;
  }
  return out;
}

/** What both backward functions of BCEWithLogitsLoss take. */
export interface BceGradArgs {
  readonly g: FloatArray;
  readonly x: FloatArray;
  readonly t: FloatArray;
  readonly pw: FloatArray | null;
  readonly w: FloatArray | null;
  /** numel for 'mean' (the gradient is divided by it), else 1. */
  readonly divisor: number;
}

/** Times the incoming gradient and the weight, divided for 'mean': the common tail of both formulas. */
function finish(a: BceGradArgs, out: FloatArray, r: Round, i: number, v: number): void {
  let d = r(v * at(a.g, i));
  if (a.w) d = r(d * a.w[i]!);
  out[i] = a.divisor === 1 ? d : r(d / a.divisor);
}

/**
 * `binary_cross_entropy_with_logits_backward` (the input's gradient):
 * `sigmoid(x) - t`, or with pos_weight p: `(p*t + 1 - t) * sigmoid(x) - p*t`.
 */
export function bceWithLogitsBackwardInput(a: BceGradArgs): FloatArray {
  const out = allocLike(a.g, a.x.length);
  const r = roundFor(out);
  for (let i = 0; i < out.length; i++) {
    const xi = a.x[i]!;
    const ti = a.t[i]!;
    const sig = r(1 / r(1 + r(Math.exp(-xi))));
    let v: number;
    if (a.pw) {
      const pt = r(a.pw[i]! * ti);
      v = r(r(r(r(pt + 1) - ti) * sig) - pt);
    } else {
      v = r(sig - ti);
    }
    finish(a, out, r, i, v);
  }
  return out;
}

/**
 * `binary_cross_entropy_with_logits_target_backward` (the target's gradient):
 * `-x`, or with pos_weight p: `log_sigmoid(-x) - log_sigmoid(x) * p`.
 */
export function bceWithLogitsBackwardTarget(a: BceGradArgs): FloatArray {
  const out = allocLike(a.g, a.x.length);
  const r = roundFor(out);
  for (let i = 0; i < out.length; i++) {
    const xi = a.x[i]!;
    const v = a.pw ? r(logSigmoid(-xi, r) - r(logSigmoid(xi, r) * a.pw[i]!)) : -xi;
    finish(a, out, r, i, v);
  }
  return out;
}
