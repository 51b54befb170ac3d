/**
 * The WebAssembly SIMD softmax family (build/wasm/src/softmax.c) against the
 * TypeScript kernels: forward and backward of softmax and log-softmax on
 * random [outer, dim, inner] layouts (rows, narrow and wide inner dimensions,
 * blocks and tails), edge values (-inf, +inf, NaN, all -inf slices, huge and
 * tiny magnitudes), sizes on both sides of the threshold, and through autograd.
 * A spy checks that the fast path was taken (and returned a result).
 *
 * Needs build/wasm/out/kernels.wasm (`node build/wasm/build.mjs`).
 */
import { describe, expect, it } from 'vitest';
import { setFastKernelsEnabled } from '../../../engine/kernels/fast/index';
import {
  SOFTMAX_BACKWARD_FAST_MIN,
  SOFTMAX_FAST_MIN,
  logSoftmaxBackward,
  logSoftmaxForward,
  softmaxBackward,
  softmaxForward,
} from '../../../engine/kernels/softmax';
import { logSoftmax, softmax } from '../../../engine/nn/softmax';
import { mul } from '../../../engine/tensor/ops/elementwise';
import { sum } from '../../../engine/tensor/ops/reduce';
import { Tensor } from '../../../engine/tensor/tensor';
import { BackwardRun } from '../../../engine/autograd/engine';
import { fastKernelSuite } from '../../helpers/fast-kernels';
import { mulberry32, randF32, randInt } from '../../helpers/mulberry';

/** Runs `f` on the TypeScript kernels, then on the fast ones. */
function both<T>(f: () => T): [T, T] {
  setFastKernelsEnabled(false);
  const ts = f();
  setFastKernelsEnabled(true);
  return [ts, f()];
}

/**
 * Every element within `rel` of the TypeScript value, plus `abs` times the
 * largest finite |value| (at least 1); NaN, infinities and their positions exactly.
 */
function expectClose(fast: ArrayLike<number>, ts: ArrayLike<number>, rel: number, abs: number, what: string): void {
  expect(fast.length, what).toBe(ts.length);
  let scale = 1;
  for (let i = 0; i < ts.length; i++) if (Number.isFinite(ts[i])) scale = Math.max(scale, Math.abs(ts[i]!));
  for (let i = 0; i < ts.length; i++) {
    const a = fast[i]!,
      b = ts[i]!;
    if (!Number.isFinite(b)) {
      if (!Object.is(a, b)) expect.fail(`${what}: element ${i}: ${a} vs ${b}`);
    } else if (!(Math.abs(a - b) <= rel * Math.abs(b) + abs * scale + 1e-37)) {
      expect.fail(`${what}: element ${i}: ${a} vs ${b} (error ${Math.abs(a - b)})`);
    }
  }
}

/**
 * Absolute slack of log-softmax (times the largest |value|): an output near 0
 * is -log(1 + tiny), where the double sum 1 + tiny carries an error of 2^-53
 * in both kernels, so they may differ by about 1e-16 there.
 */
const LOG_ABS = 1e-15;

/** Random values of magnitude `scale`, with -inf, NaN and +inf sprinkled in at the given rates. */
function values(r: () => number, n: number, scale: number, special: [number, number, number]): Float32Array {
  return Float32Array.from({ length: n }, () => {
    const u = r();
    if (u < special[0]) return -Infinity;
    if (u < special[0] + special[1]) return NaN;
    if (u < special[0] + special[1] + special[2]) return Infinity;
    return (r() * 2 - 1) * scale;
  });
}

describe('WebAssembly SIMD softmax and log_softmax', () => {
  const spyOn = fastKernelSuite();
  const spy = () => spyOn('softmax', 'softmaxBackwardData');

  it('match the TypeScript kernels on random layouts, forward and backward', () => {
    const r = mulberry32(23);
    const inners = [1, 1, 1, 2, 3, 4, 5, 7, 8, 12, 13, 64, 255, 256, 259, 300, 517];
    let forward = 0,
      backward = 0;
    const check = spy();
    for (let t = 0; t < 160; t++) {
      const inner = inners[t % inners.length]!;
      const dim = inner > 64 ? randInt(r, 1, 9) : randInt(r, 1, 70),
        outer = randInt(r, 1, inner > 64 ? 3 : 5);
      const n = outer * dim * inner;
      const scale = [1, 10, 100, 1e-3, 30, 1e4][t % 6]!;
      const x = values(r, n, scale, t % 3 === 0 ? [0.05, 0.01, 0.005] : [0, 0, 0]);
      if (t % 10 === 4) x.fill(-Infinity, 0, dim * inner); // every slice of the first outer index is all -inf
      const g = randF32(r, n);
      const what = `[${outer}, ${dim}, ${inner}] scale ${scale}`;
      for (const log of [false, true]) {
        const [a, b] = both(() => (log ? logSoftmaxForward : softmaxForward)(x, outer, dim, inner));
        expectClose(b, a, 1e-6, log ? LOG_ABS : 0, `${log ? 'log_softmax' : 'softmax'} ${what}`);
        // Both backward kernels get the same (TypeScript) saved output.
        const [c, d] = both(() => (log ? logSoftmaxBackward : softmaxBackward)(g, a, outer, dim, inner));
        expectClose(d, c, 0, 1e-6, `${log ? 'log_softmax' : 'softmax'} backward ${what}`);
        if (n >= SOFTMAX_FAST_MIN) forward++;
        if (n >= (log ? SOFTMAX_FAST_MIN : SOFTMAX_BACKWARD_FAST_MIN)) backward++;
      }
    }
    expect(backward).toBeGreaterThan(20);
    check(forward, backward);
  });

  it('keep the NaN rules: NaN, +inf or all -inf in a slice make it NaN; -inf elsewhere gives 0 / -inf', () => {
    const rows = [
      [1, 2, NaN, 3],
      [-Infinity, -Infinity, -Infinity, -Infinity],
      [1, Infinity, 2, 3],
      [-Infinity, 0, 1, -Infinity],
      [1e30, -1e30, 0, 5],
      [-200, 0, -150, -90],
      [88, 89, 90, 87],
      [0, -0, 0, -0],
    ];
    // 18 columns of each row: vector lanes and the scalar tail.
    const x = Float32Array.from(rows.flatMap((row) => Array.from({ length: 18 }, (_, i) => row[i % 4]!)));
    for (const [outer, dim, inner] of [
      [8, 18, 1],
      [2, 4, 18],
      [1, 8, 18],
    ] as const) {
      for (const log of [false, true]) {
        const [a, b] = both(() => (log ? logSoftmaxForward : softmaxForward)(x, outer, dim, inner));
        expectClose(b, a, 1e-6, log ? LOG_ABS : 0, `specials ${outer} ${dim} ${inner} ${log}`);
      }
    }
    const y = softmaxForward(x, 8, 18, 1);
    expect(Array.from(y.subarray(0, 36)).every(Number.isNaN)).toBe(true); // the NaN row and the all -inf row
    expect(y[18 * 3]).toBe(0); // exp(-inf - 1)
    expect(y[18 * 5]).toBe(0); // exp(-200) underflows
    expect(y[18 * 5 + 3]).toBeGreaterThan(0); // exp(-90), a subnormal float
    expect(y[18 * 5 + 3]).toBeLessThan(1e-38);
  });

  it('stay on TypeScript below the threshold and for float64', () => {
    const check = spy();
    const small = randF32(mulberry32(1), SOFTMAX_FAST_MIN - 1);
    softmaxForward(small, 1, small.length, 1);
    logSoftmaxBackward(small, small, 1, small.length, 1);
    softmaxForward(
      Float64Array.from({ length: 200 }, (_, i) => i / 7),
      2,
      100,
      1,
    );
    const mid = randF32(mulberry32(2), SOFTMAX_BACKWARD_FAST_MIN - 1);
    softmaxBackward(mid, mid, 1, mid.length, 1);
    check(0, 0);
    softmaxForward(randF32(mulberry32(1), SOFTMAX_FAST_MIN), 1, SOFTMAX_FAST_MIN, 1);
    logSoftmaxBackward(mid, mid, 1, mid.length, 1);
    check(1, 1);
  });

  it('give the same gradients through autograd, every dim of a 4-d tensor', () => {
    const r = mulberry32(29);
    const shape = [3, 5, 16, 72];
    const xd = randF32(r, 3 * 5 * 16 * 72).map((v) => v * 4),
      wd = randF32(r, xd.length);
    const check = spy();
    for (let dim = 0; dim < 4; dim++) {
      for (const f of [softmax, logSoftmax]) {
        const run = (): Float32Array[] => {
          const x = Tensor.fromData(xd.slice(), shape, 'float32');
          x.setRequiresGrad(true);
          const y = f(x, dim);
          const loss = sum(mul(y, Tensor.fromData(wd, shape, 'float32')));
          new BackwardRun(loss.gradientEdge(), { data: Float32Array.of(1), shape: [], dtype: 'float32' }).runToEnd();
          return [y.contiguousData() as Float32Array, x.grad!.contiguousData() as Float32Array];
        };
        const [[y0, g0], [y1, g1]] = both(run);
        expectClose(y1, y0, 1e-6, f === logSoftmax ? LOG_ABS : 0, `${f.name} dim ${dim}`);
        expectClose(g1, g0, 0, 2e-6, `${f.name} grad dim ${dim}`);
      }
    }
    check(8, 8);
  });
});
