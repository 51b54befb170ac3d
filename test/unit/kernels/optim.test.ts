/**
 * The float32 arithmetic of torch.optim's steps (engine/kernels/optim.ts). ATen's `add` with
 * `alpha` is one fused multiply-add on an AVX2 CPU, so its result is `a + alpha * b` rounded once;
 * computing it in double and rounding to float32 rounds twice, which is wrong exactly when the
 * double sum lands on a float32 midpoint.
 */
import { describe, expect, it } from 'vitest';
import { addScaled, fma32, mulScalar, sgdMomentumUpdate } from '../../../engine/kernels/optim';

describe('fma32', () => {
  // a = 1 + 2^-23, b = 2^-24 - 2^-47 (both float32), c = 1 + 2^-23. Exactly:
  // a * b = 2^-24 (1 + 2^-23)(1 - 2^-23) = 2^-24 - 2^-70, so a * b + c = 1 + 2^-23 + 2^-24 - 2^-70:
  // just below the midpoint between the float32s 1 + 2^-23 and 1 + 2^-22, so it rounds to 1 + 2^-23.
  // In double the 2^-70 is lost, the sum is the midpoint itself, and float32's ties-to-even picks
  // 1 + 2^-22. PyTorch 1.13 on /usr/bin/python3:
  //   torch.full((37,), c).add(torch.full((37,), b), alpha=a) is 1 + 2^-23 in every element.
  const a = 1 + 2 ** -23;
  const b = 2 ** -24 - 2 ** -47;
  const c = 1 + 2 ** -23;

  it('rounds once where rounding through double would round twice', () => {
    expect(Math.fround(a * b + c)).toBe(1 + 2 ** -22); // the double-rounding answer
    expect(fma32(a, b, c)).toBe(1 + 2 ** -23);
    expect(fma32(-a, b, -c)).toBe(-(1 + 2 ** -23));
  });

  it('is the plain float32 result wherever one rounding of the double sum is exact', () => {
    expect(fma32(0.5, 0.25, 1)).toBe(1.125);
    expect(fma32(3, 0, -2)).toBe(-2);
    expect(fma32(Math.fround(0.1), 10, 0)).toBe(Math.fround(Math.fround(0.1) * 10));
    expect(fma32(3.4028234663852886e38, 2, 0)).toBe(Infinity);
    // Past float32's range the answer is infinite whichever way the double sum rounded.
    expect(fma32(3.4028234663852886e38, 2, -1e-30)).toBe(Infinity);
  });

  it("addScaled is torch.add(a, b, alpha=alpha) with alpha cast to float32, as ATen's kernel is", () => {
    const out = new Float32Array(3);
    addScaled(out, Float32Array.of(c, 1, 2), Float32Array.of(b, 2, 4), a);
    expect(Array.from(out)).toEqual([1 + 2 ** -23, Math.fround(1 + 2 * a), Math.fround(2 + 4 * a)]);
  });
});

describe('sgdMomentumUpdate', () => {
  it('equals buf.mul_(momentum).add_(d, alpha=1 - dampening) then param.add_(buf, alpha=-lr), bit for bit', () => {
    // Values over many binades; element 0 of the last case is fma32's midpoint case above
    // (momentum 1 keeps buf = c, alpha = 1 - dampening = b, d = a): one pass in double misses it.
    const [a, b, c] = [1 + 2 ** -23, 2 ** -24 - 2 ** -47, 1 + 2 ** -23];
    const n = 4096;
    const vals = (seed: number): Float32Array =>
      Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 104729) * 2 ** ((i % 41) - 20));
    for (const [momentum, dampening, lr] of [
      [0.9, 0, 0.05],
      [0.7, 0.2, 0.1],
      [1, 1 - b, 0.5],
    ] as const) {
      const [d, buf, param] = [vals(1), vals(2), vals(3)];
      [d[0], buf[0]] = [a, c];
      const [buf2, param2] = [buf.slice(), param.slice()];
      mulScalar(buf2, buf2, momentum);
      addScaled(buf2, buf2, d, 1 - dampening);
      addScaled(param2, param2, buf2, -lr);
      sgdMomentumUpdate(param, buf, d, momentum, dampening, lr);
      expect(Array.from(buf)).toEqual(Array.from(buf2));
      expect(Array.from(param)).toEqual(Array.from(param2));
    }
    expect(Math.fround(a * b + c)).not.toBe(1 + 2 ** -23); // so a double-rounding loop would fail above
  });
});
