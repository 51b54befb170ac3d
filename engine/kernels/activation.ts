/**
 * Activation kernels, forward beside backward: sigmoid, tanh, leaky_relu, gelu
 * and pow with a number exponent, each as ATen's CPU kernel computes it.
 *
 * Note [Float32 activations round each step]
 * ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
 * ATen evaluates these formulas in the tensor's own type, so a float32 result
 * is rounded after every operation (sigmoid is `1 / (1 + exp(-x))` with three
 * float roundings). The kernels take the rounding of the element type
 * (`Math.fround` for float32, none for float64) and apply it after each step
 * ATen performs, so results agree with PyTorch's to the last bit or one ulp
 * (its `exp` and `tanh` are SLEEF's, within one ulp of JavaScript's). Every
 * PyTorch kernel here has a vectorized and a scalar form that compute the same
 * thing; where they differ (pow's general case), the vectorized form is the
 * one followed.
 */
import { allocLike, type FloatArray } from '../core/dtype';
import { erf } from './erf';

/** The rounding of an element type: `Math.fround` for float32, none for float64. */
type Round = (x: number) => number;
const exact: Round = (x) => x;
const roundingOf = (a: FloatArray): Round => (a instanceof Float32Array ? Math.fround : exact);

/** `out[i] = f(x[i], r)`, with r the rounding of x's type. */
function map1(x: FloatArray, f: (v: number, r: Round) => number): FloatArray {
  const r = roundingOf(x);
  const out = allocLike(x, x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!, r);
  return out;
}

/** `out[i] = f(g[i], y[i], r)` (same lengths), with r the rounding of g's type. */
function map2(g: FloatArray, y: FloatArray, f: (gv: number, v: number, r: Round) => number): FloatArray {
  const r = roundingOf(g);
  const out = allocLike(g, g.length);
  for (let i = 0; i < g.length; i++) out[i] = f(g[i]!, y[i]!, r);
  return out;
}

/** `torch.sigmoid`: `1 / (1 + exp(-x))`. */
export function sigmoidForward(x: FloatArray): FloatArray {
  return map1(x, (v, r) => r(1 / r(1 + r(Math.exp(-v)))));
}

/** SigmoidBackward0 from the saved result: `g * (1 - y) * y`. */
export function sigmoidBackward(g: FloatArray, y: FloatArray): FloatArray {
  return map2(g, y, (gv, v, r) => r(r(gv * r(1 - v)) * v));
}

/**
 * tanh rounded to the element type. PyTorch's float32 tanh is SLEEF's
 * `Sleef_tanhf8_u10`, which returns exactly +-1 beyond |x| > 8.664339742 where
 * the rounded tanh is still 1 - 2^-24: the gradient `1 - y * y` is 0 there.
 */
function tanhIn(r: Round): (v: number) => number {
  if (r === exact) return Math.tanh;
  return (v) => (Math.abs(v) > TANH_F32_ONE ? Math.sign(v) : r(Math.tanh(v)));
}
const TANH_F32_ONE = Math.fround(8.664339742);

/** `torch.tanh`. */
export function tanhForward(x: FloatArray): FloatArray {
  const th = tanhIn(roundingOf(x));
  return map1(x, (v) => th(v));
}

/** TanhBackward0 from the saved result: `g * (1 - y * y)`. */
export function tanhBackward(g: FloatArray, y: FloatArray): FloatArray {
  return map2(g, y, (gv, v, r) => r(gv * r(1 - r(v * v))));
}

/** `F.leaky_relu`: `x > 0 ? x : x * negative_slope` (the slope in the element type; NaN stays NaN). */
export function leakyReluForward(x: FloatArray, slope: number): FloatArray {
  const s = roundingOf(x)(slope);
  return map1(x, (v, r) => (v > 0 ? v : r(v * s)));
}

/**
 * LeakyReluBackward0 (from the input) and LeakyReluBackward1 (from the result
 * of the in-place form): `x > 0 ? g : g * negative_slope`.
 */
export function leakyReluBackward(g: FloatArray, x: FloatArray, slope: number): FloatArray {
  const s = roundingOf(g)(slope);
  return map2(g, x, (gv, v, r) => (v > 0 ? gv : r(gv * s)));
}

/** `F.gelu`'s `approximate`. */
export type GeluApproximate = 'none' | 'tanh';

const SQRT1_2 = Math.SQRT1_2;
/** `M_SQRT2 * M_2_SQRTPI * 0.5` = sqrt(2 / pi). */
const GELU_BETA = Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5;
const GELU_KAPPA = 0.044715;
/** `M_2_SQRTPI * M_SQRT1_2 * 0.5` = 1 / sqrt(2 pi). */
const GELU_PDF = (2 / Math.sqrt(Math.PI)) * SQRT1_2 * 0.5;

/**
 * Note [PyTorch's float32 erf in GELU]
 * ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
 * PyTorch 1.13 on the CPU hands a contiguous float32 GELU (approximate
 * 'none') of more than one element to oneDNN, whose `gelu_erf` evaluates erf
 * with Abramowitz and Stegun's formula 7.1.26 in float32 with fused
 * multiply-adds (absolute error up to 1.5e-7), forward and backward; a single
 * element, and every float64 GELU, goes to ATen's kernel with an accurate erf.
 * Measured on 100,000 inputs, this formula reproduces PyTorch's float32 GELU
 * to the bit for 92% of them and within one ulp for the rest, where an exact
 * erf misses 61% of them. float64 (gradient checks) uses the accurate erf, so
 * its derivative is the derivative of its forward.
 */
const AS_P = Math.fround(0.3275911);
const AS_A = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429].map(Math.fround);

/** A float32 fused multiply-add `a * b + c` (the product of two floats is exact in double). */
const fmaf = (a: number, b: number, c: number) => Math.fround(a * b + c);

/** erf(v) for a float32 v by Abramowitz and Stegun 7.1.26, as oneDNN computes it. */
function erfAS(v: number): number {
  const f = Math.fround;
  const av = Math.abs(v);
  const t = f(1 / fmaf(AS_P, av, 1));
  let p = AS_A[4]!;
  for (let k = 3; k >= 0; k--) p = fmaf(p, t, AS_A[k]!);
  const e = f(Math.exp(-f(av * av)));
  const m = fmaf(f(-e * t), p, 1);
  return v < 0 || Object.is(v, -0) ? -m : m;
}

/** The erf a GELU of `n` elements of this type uses (see Note [PyTorch's float32 erf in GELU]). */
const geluErf = (x: FloatArray): ((v: number) => number) => (x instanceof Float32Array && x.length > 1 ? erfAS : erf);

/** `F.gelu(x, approximate)`. */
export function geluForward(x: FloatArray, approximate: GeluApproximate): FloatArray {
  if (approximate === 'tanh') {
    const th = tanhIn(roundingOf(x));
    return map1(x, (v, r) => {
      const inner = r(r(GELU_BETA) * r(v + r(r(GELU_KAPPA) * r(r(v * v) * v))));
      return r(r(0.5 * v) * r(1 + th(inner)));
    });
  }
  const e = geluErf(x);
  if (e === erfAS) {
    // oneDNN: S = x / 2, S + S * erf(x / sqrt(2)) with one fused multiply-add.
    return map1(x, (v) => {
      const s = Math.fround(0.5 * v);
      return fmaf(erfAS(Math.fround(v * Math.fround(SQRT1_2))), s, s);
    });
  }
  return map1(x, (v, r) => r(r(v * 0.5) * r(1 + r(e(r(v * r(SQRT1_2)))))));
}

/** GeluBackward0 from the saved input: `g * (cdf(x) + x * pdf(x))`, or the tanh form's derivative. */
export function geluBackward(g: FloatArray, x: FloatArray, approximate: GeluApproximate): FloatArray {
  if (approximate === 'tanh') {
    const th = tanhIn(roundingOf(g));
    return map2(g, x, (gv, v, r) => {
      const sq = r(v * v);
      const tanhInner = th(r(r(GELU_BETA) * r(v + r(r(GELU_KAPPA) * r(sq * v)))));
      const right = r(1 + tanhInner);
      const innerD = r(r(GELU_BETA) * r(1 + r(r(3 * r(GELU_KAPPA)) * sq)));
      const rightD = r(r(r(0.5 * v) * r(1 - r(tanhInner * tanhInner))) * innerD);
      return r(gv * r(r(0.5 * right) + rightD));
    });
  }
  const e = geluErf(x);
  return map2(g, x, (gv, v, r) => {
    const cdf = r(0.5 * r(1 + r(e(r(v * r(SQRT1_2))))));
    const pdf = r(r(GELU_PDF) * r(Math.exp(r(r(v * v) * -0.5))));
    return r(gv * r(cdf + r(v * pdf)));
  });
}

/**
 * `x ** e` for a float tensor and a number, with ATen's special cases: 0 fills
 * ones, 1 copies, 0.5 is sqrt, -0.5 rsqrt, -1 reciprocal, 2 and 3 repeated
 * multiplication, -2 the reciprocal of the square; any other exponent is `pow`
 * (with the exponent in the element type).
 */
export function powForward(x: FloatArray, e: number): FloatArray {
  if (e === 0) return allocLike(x, x.length).fill(1);
  if (e === 1) return x.slice();
  if (e === 0.5) return map1(x, (v, r) => r(Math.sqrt(v)));
  if (e === -0.5) return map1(x, (v, r) => r(1 / r(Math.sqrt(v))));
  if (e === -1) return map1(x, (v, r) => r(1 / v));
  if (e === 2) return map1(x, (v, r) => r(v * v));
  if (e === 3) return map1(x, (v, r) => r(r(v * v) * v));
  if (e === -2) return map1(x, (v, r) => r(1 / r(v * v)));
  const ee = roundingOf(x)(e);
  return map1(x, (v, r) => r(Math.pow(v, ee)));
}

/** PowBackward0: zeros for exponent 0, else `g * (e * x ** (e - 1))` (ATen's `pow_backward`). */
export function powBackward(g: FloatArray, x: FloatArray, e: number): FloatArray {
  if (e === 0) return allocLike(g, g.length);
  const p = powForward(x, e - 1);
  const ee = roundingOf(g)(e);
  return map2(g, p, (gv, v, r) => r(gv * r(ee * v)));
}
