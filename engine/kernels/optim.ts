/**
 * The element-wise float32 arithmetic of torch.optim's single-tensor steps,
 * rounded exactly as ATen's CPU kernels of PyTorch 1.13 round it (AVX2 build,
 * checked element by element on /usr/bin/python3):
 *
 * - `add(a, b, alpha)` is one fused multiply-add, `fma(b, alpha, a)` (`vec::fmadd`);
 * - `mul(a, s)` and `div(a, s)` round once, with the Python scalar cast to float32 first;
 * - `addcmul(self, t1, t2, value)` is `fma(value * t1, t2, self)`;
 * - `addcdiv(self, t1, t2, value)` is `self + (value * t1) / t2`, each rounded.
 *
 * A float32 `+ - * /` or `sqrt` computed in double and rounded once to float32
 * is exact; a float32 fma needs {@link fma32}.
 */

const f = Math.fround;

/**
 * `a * b + c` rounded once to float32 (C's `fmaf`), for float32 `a`, `b`, `c`.
 * The product is exact in double and the sum `s` is rounded once. Rounding
 * `s` to float32 (`r`) can then only be wrong when `s` lies exactly halfway
 * between `r` and its neighbour `o = 2s - r` (then a float32); the sum's
 * rounding error `e`, recovered exactly (TwoSum), says on which side of `s`
 * the true value lies.
 */
export function fma32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = f(s);
  if (r === s) return r;
  const o = 2 * s - r;
  if (f(o) !== o || !Number.isFinite(r)) return r; // not halfway (or past float32): one rounding is exact
  const bb = s - p;
  const e = p - (s - bb) + (c - bb);
  if (e === 0) return r;
  return e > 0 === o > r ? o : r;
}

/** `out = a + alpha * b` (`torch.add(a, b, alpha=alpha)`); `out` may be `a` or `b`. */
export function addScaled(out: Float32Array, a: Float32Array, b: Float32Array, alpha: number): void {
  const al = f(alpha);
  for (let i = 0; i < out.length; i++) out[i] = fma32(b[i]!, al, a[i]!);
}

/**
 * SGD's momentum update and parameter step in one pass, element for element
 * the same float32 roundings as the three ops it fuses:
 * `buf.mul_(momentum).add_(d, alpha=1 - dampening)` then `param.add_(buf, alpha=-lr)`.
 */
export function sgdMomentumUpdate(
  param: Float32Array,
  buf: Float32Array,
  d: Float32Array,
  momentum: number,
  dampening: number,
  lr: number,
): void {
  const m = f(momentum);
  const a = f(1 - dampening);
  const step = f(-lr);
  for (let i = 0; i < param.length; i++) {
    const b = fma32(d[i]!, a, f(buf[i]! * m));
    buf[i] = b;
    param[i] = fma32(b, step, param[i]!);
  }
}

/** `out = a * s` (`a.mul(s)` with a Python number). */
export function mulScalar(out: Float32Array, a: Float32Array, s: number): void {
  const sf = f(s);
  for (let i = 0; i < out.length; i++) out[i] = a[i]! * sf;
}

/** ATen's `self.addcmul(t1, t2, value=value)` and `self.addcdiv(...)`, written into `out`. */
type PointwiseOp = (out: Float32Array, self: Float32Array, t1: Float32Array, t2: Float32Array, value: number) => void;

/** `out = self + value * t1 * t2` (`self.addcmul(t1, t2, value=value)`). */
export const addcmul: PointwiseOp = (out, self, t1, t2, value) => {
  const v = f(value);
  for (let i = 0; i < out.length; i++) out[i] = fma32(f(v * t1[i]!), t2[i]!, self[i]!);
};

/** `out = self + value * t1 / t2` (`self.addcdiv(t1, t2, value=value)`). */
export const addcdiv: PointwiseOp = (out, self, t1, t2, value) => {
  const v = f(value);
  for (let i = 0; i < out.length; i++) out[i] = self[i]! + f(f(v * t1[i]!) / t2[i]!);
};

/** `out = (a.sqrt() / d).add_(eps)`: Adam's denominator, with Python numbers `d` and `eps`. */
export function sqrtDivAdd(out: Float32Array, a: Float32Array, d: number, eps: number): void {
  const df = f(d);
  const ef = f(eps);
  for (let i = 0; i < out.length; i++) out[i] = f(f(Math.sqrt(a[i]!)) / df) + ef;
}

/** `torch.maximum(a, b, out=out)` (NaN wins, as in PyTorch). */
export function maximum(out: Float32Array, a: Float32Array, b: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = Math.max(a[i]!, b[i]!);
}
