/**
 * The one-input-channel convolution paths of build/wasm/src/conv1.h (a first
 * layer on grey images, a depthwise convolution; unit horizontal stride)
 * against the TypeScript kernels, with infinities and NaN, and bit for bit on
 * 1-3 threads, on both kernel modules (plain and fused multiply-add).
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  conv2dBackwardWeight,
  conv2dForward,
  convOutputSize,
  type Conv2dGeometry,
} from '../../../engine/kernels/conv2d';
import { installWasmKernels } from '../../../engine/kernels/fast/index';
import { WasmKernels } from '../../../engine/kernels/wasm/runtime';
import { nodeSpawner } from '../../../engine/host/node/fast-kernels';
import { WASM_PATH, expectSameOnThreads, tsAndFast, wasmModules } from '../../helpers/fast-kernels';
import { mulberry32, randF32, randInt } from '../../helpers/mulberry';
import { readFileSync } from 'node:fs';

/**
 * Same non-finite values at the same places, and the finite ones within
 * `tol` of the TypeScript kernel's, relative to its largest magnitude.
 */
function expectMatches(fast: ArrayLike<number>, ts: ArrayLike<number>, tol: number, what: string): void {
  expect(fast.length, what).toBe(ts.length);
  const special = (a: ArrayLike<number>) => Array.from(a, (v) => (Number.isFinite(v) ? 'finite' : String(v)));
  expect(special(fast), what).toEqual(special(ts));
  let scale = 1;
  for (let i = 0; i < ts.length; i++) if (Number.isFinite(ts[i]!)) scale = Math.max(scale, Math.abs(ts[i]!));
  let worst = 0,
    at = -1;
  for (let i = 0; i < ts.length; i++) {
    const e = Number.isFinite(ts[i]!) ? Math.abs(fast[i]! - ts[i]!) / scale : 0;
    if (e > worst) [worst, at] = [e, i];
  }
  expect(worst, `${what}: element ${at}`).toBeLessThanOrEqual(tol);
}

/** A geometry the one-channel paths take: cIn = groups, horizontal stride 1. */
function oneChannelGeometry(r: () => number): Conv2dGeometry {
  const groups = [1, 1, 2, 3][randInt(r, 0, 3)]!;
  const kH = randInt(r, 1, 5),
    kW = randInt(r, 1, 5),
    strideH = randInt(r, 1, 2),
    padH = randInt(r, 0, 2),
    padW = randInt(r, 0, 2),
    dilH = randInt(r, 1, 2),
    dilW = randInt(r, 1, 2);
  const h = Math.max(1, dilH * (kH - 1) + 1 - 2 * padH) + randInt(r, 0, 20),
    w = Math.max(1, dilW * (kW - 1) + 1 - 2 * padW) + randInt(r, 0, 40);
  return {
    n: randInt(r, 1, 5),
    cIn: groups,
    cOut: groups * randInt(r, 1, 9),
    h,
    w,
    kH,
    kW,
    strideH,
    strideW: 1,
    padH,
    padW,
    dilH,
    dilW,
    groups,
    hOut: convOutputSize(h, kH, strideH, padH, dilH),
    wOut: convOutputSize(w, kW, 1, padW, dilW),
  };
}

/** Conv2d(1, cOut, 3, padding=1) on [n, 1, h, w]. */
const grey3x3 = (n: number, cOut: number, h: number, w: number): Conv2dGeometry => ({
  ...{ n, cIn: 1, cOut, h, w, kH: 3, kW: 3, strideH: 1, strideW: 1 },
  ...{ padH: 1, padW: 1, dilH: 1, dilW: 1, groups: 1, hOut: h, wOut: w },
});

/** W2's first layer. */
const W2_CONV1 = grey3x3(32, 16, 28, 28);

describe('one-input-channel convolutions (conv1.h)', () => {
  // A fresh install: one thread, the default split thresholds.
  afterAll(() => installWasmKernels(new Uint8Array(readFileSync(WASM_PATH))));

  for (const { name, bytes, fma } of wasmModules()) {
    it(`${name}: forward and weight gradient match the TypeScript kernels, and 1-3 threads give the same bits`, () => {
      expect(installWasmKernels(bytes, { spawn: nodeSpawner, threads: 1, fma })).toBe(true);
      const oneChannel = vi.spyOn(
        WasmKernels.prototype as unknown as { oneChannelWeight: () => number },
        'oneChannelWeight',
      );
      const r = mulberry32(41);
      const runs: { run: () => (Float32Array | Float64Array)[]; got: (Float32Array | Float64Array)[] }[] = [];
      for (let t = 0; t < 40; t++) {
        const g = t === 0 ? W2_CONV1 : oneChannelGeometry(r);
        const what = JSON.stringify(g);
        const x = randF32(r, g.n * g.cIn * g.h * g.w),
          wt = randF32(r, g.cOut * g.kH * g.kW),
          bias = t % 2 ? randF32(r, g.cOut) : null,
          go = randF32(r, g.n * g.cOut * g.hOut * g.wOut);
        const [a, b] = tsAndFast(() => conv2dForward(x, wt, bias, g));
        expectMatches(b, a, 2e-6, `forward ${what}`);
        const [c, d] = tsAndFast(() => conv2dBackwardWeight(go, x, g));
        expectMatches(d, c, 2e-5, `weight grad ${what}`);
        runs.push({ run: () => [conv2dForward(x, wt, bias, g), conv2dBackwardWeight(go, x, g)], got: [b, d] });
      }
      expect(oneChannel).toHaveBeenCalledTimes(40);
      oneChannel.mockRestore();
      expectSameOnThreads(runs);
    });
  }

  it('infinities and NaN give what the TypeScript kernels give (padding zeros are multiplied too)', () => {
    expect(installWasmKernels(new Uint8Array(readFileSync(WASM_PATH)))).toBe(true);
    const r = mulberry32(43);
    const g = grey3x3(3, 5, 9, 11);
    for (const [where, at, value] of [
      ['x', 40, Infinity],
      ['x', 0, NaN],
      ['w', 4, -Infinity],
      ['go', 12, Infinity],
      ['go', 0, -Infinity],
    ] as const) {
      const x = randF32(r, 3 * 99),
        wt = randF32(r, 5 * 9),
        go = randF32(r, 3 * 5 * 99);
      ({ x, w: wt, go })[where][at] = value;
      const what = `${String(value)} in ${where}[${at}]`;
      if (where !== 'go') {
        const [a, b] = tsAndFast(() => conv2dForward(x, wt, null, g));
        expectMatches(b, a, 2e-6, `forward, ${what}`);
      }
      if (where !== 'w') {
        const [c, d] = tsAndFast(() => conv2dBackwardWeight(go, x, g));
        expectMatches(d, c, 2e-5, `weight grad, ${what}`);
      }
    }
  });
});
