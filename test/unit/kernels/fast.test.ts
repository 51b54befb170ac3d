/**
 * The WebAssembly SIMD kernels against the portable TypeScript kernels on
 * random geometries, and their independence of the thread count.
 *
 * Needs build/wasm/out/kernels.wasm (`node build/wasm/build.mjs`, which needs
 * clang and lld); without it the suite is skipped with a note.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conv2dBackward,
  conv2dBackwardBias,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dForward,
  convOutputSize,
  type Conv2dGeometry,
} from '../../../engine/kernels/conv2d';
import { addmm, matmul } from '../../../engine/kernels/matmul';
import {
  avgPool2dBackward,
  avgPool2dForward,
  maxPool2dBackward,
  maxPool2dForward,
  poolOutputSize,
  type Pool2dGeometry,
} from '../../../engine/kernels/pool';
import { reluBackward, reluForward } from '../../../engine/kernels/elementwise';
import {
  installWasmKernels,
  kernelBackend,
  kernelLentBytes,
  kernelOwned,
  openKernelLease,
  releaseKernelLease,
  setFastKernelsEnabled,
  setKernelLendThreshold,
  setKernelParallelMin,
  PARALLEL_ELEMENTS,
  PARALLEL_MACS,
  setKernelThreads,
  useKernelLease,
} from '../../../engine/kernels/fast/index';
import { nodeSpawner } from '../../../engine/host/node/fast-kernels';
import { Storage } from '../../../engine/core/storage';
import { mulberry32, randInt, randF32 } from '../../helpers/mulberry';

const WASM = join(__dirname, '../../../build/wasm/out/kernels.wasm');

/** Runs `f` on the TypeScript kernels, then on the fast ones. */
function both<T>(f: () => T): [T, T] {
  setFastKernelsEnabled(false);
  const ts = f();
  setFastKernelsEnabled(true);
  return [ts, f()];
}

/** The bit patterns of float32 values (tells -0 from 0, unlike String or toEqual on numbers). */
const bits = (a: ArrayLike<number>): number[] =>
  Array.from(a instanceof Float32Array ? new Uint32Array(a.buffer, a.byteOffset, a.length) : Float32Array.from(a));

/** A 3x3 convolution with stride 1 and padding 1 (the output as large as the input), one group. */
const same3x3 = (n: number, cIn: number, cOut: number, h: number, w: number): Conv2dGeometry => ({
  n,
  cIn,
  cOut,
  h,
  w,
  kH: 3,
  kW: 3,
  strideH: 1,
  strideW: 1,
  padH: 1,
  padW: 1,
  dilH: 1,
  dilW: 1,
  groups: 1,
  hOut: h,
  wOut: w,
});

/** Max |a - b| relative to the largest |b| (at least 1). */
function expectClose(fast: ArrayLike<number>, ts: ArrayLike<number>, tol: number, what: string): void {
  expect(fast.length, what).toBe(ts.length);
  let scale = 1;
  for (let i = 0; i < ts.length; i++) scale = Math.max(scale, Math.abs(ts[i]!));
  let worst = 0,
    at = -1;
  for (let i = 0; i < ts.length; i++) {
    const e = Math.abs(fast[i]! - ts[i]!) / scale;
    if (!(e <= worst)) {
      worst = e;
      at = i;
    }
  }
  expect(worst, `${what}: element ${at}: ${fast[at]} vs ${ts[at]}`).toBeLessThanOrEqual(tol);
}

function convGeometry(r: () => number, big: boolean): Conv2dGeometry {
  const groups = [1, 1, 2, 3][randInt(r, 0, 3)]!;
  const kH = randInt(r, 1, 4),
    kW = randInt(r, 1, 4);
  const strideH = randInt(r, 1, 3) === 1 || big ? 1 : randInt(r, 2, 3),
    strideW = randInt(r, 1, 3) === 1 || big ? 1 : randInt(r, 2, 3);
  const padH = randInt(r, 0, 2),
    padW = randInt(r, 0, 2),
    dilH = randInt(r, 1, 3),
    dilW = randInt(r, 1, 3);
  const minH = Math.max(1, dilH * (kH - 1) + 1 - 2 * padH),
    minW = Math.max(1, dilW * (kW - 1) + 1 - 2 * padW);
  const n = big ? randInt(r, 2, 5) : randInt(r, 1, 3);
  const cIn = groups * (big ? randInt(r, 3, 9) : randInt(r, 1, 5)),
    cOut = groups * (big ? randInt(r, 4, 12) : randInt(r, 1, 9));
  const h = minH + randInt(r, 0, big ? 30 : 12),
    w = minW + randInt(r, 0, big ? 30 : 12);
  return {
    n,
    cIn,
    cOut,
    h,
    w,
    kH,
    kW,
    strideH,
    strideW,
    padH,
    padW,
    dilH,
    dilW,
    groups,
    hOut: convOutputSize(h, kH, strideH, padH, dilH),
    wOut: convOutputSize(w, kW, strideW, padW, dilW),
  };
}

describe('WebAssembly SIMD kernels', () => {
  beforeAll(() => {
    expect(installWasmKernels(new Uint8Array(readFileSync(WASM)), { spawn: nodeSpawner, threads: 2 })).toBe(true);
    expect(kernelBackend()).toBe('wasm-simd x2');
  });
  afterAll(() => setKernelThreads(1));

  it('conv2d forward and both backward passes match the TypeScript kernels', () => {
    const r = mulberry32(7);
    for (let t = 0; t < 160; t++) {
      const g = convGeometry(r, t % 4 === 3);
      const what = JSON.stringify(g);
      const x = randF32(r, g.n * g.cIn * g.h * g.w);
      const wt = randF32(r, (g.cOut * g.cIn * g.kH * g.kW) / g.groups);
      const bias = t % 5 === 0 ? null : randF32(r, g.cOut);
      const go = randF32(r, g.n * g.cOut * g.hOut * g.wOut);
      const [a, b] = both(() => conv2dForward(x, wt, bias, g));
      expect(b).toBeInstanceOf(Float32Array);
      expectClose(b, a, 2e-6, `forward ${what}`);
      const [gi0, gi1] = both(() => conv2dBackwardInput(go, wt, g));
      expectClose(gi1, gi0, 2e-6, `input grad ${what}`);
      const [gw0, gw1] = both(() => conv2dBackwardWeight(go, x, g));
      expectClose(gw1, gw0, 5e-6, `weight grad ${what}`);
      const [gb0, gb1] = both(() => conv2dBackwardBias(go, g));
      expectClose(gb1, gb0, 1e-6, `bias grad ${what}`);
      const needs = [t % 2 === 0, t % 3 !== 0, t % 4 !== 1];
      const all = conv2dBackward(go, x, wt, g, needs);
      const ref = [gi0, gw0, gb0];
      for (let i = 0; i < 3; i++) {
        if (!needs[i]) expect(all[i]).toBeNull();
        else expectClose(all[i]!, ref[i]!, 5e-6, `conv2dBackward[${i}] ${what}`);
      }
    }
  });

  it('conv2d on the workload shapes (padding, dilation, groups) matches', () => {
    const r = mulberry32(11);
    const shapes: [number, number, number, number, number, number, number, number, number][] = [
      // n, cIn, h, w, cOut, k, pad, dil, groups
      [32, 1, 28, 28, 16, 3, 1, 1, 1],
      [32, 16, 14, 14, 32, 3, 1, 1, 1],
      [2, 16, 66, 66, 32, 3, 0, 1, 1],
      [4, 8, 32, 32, 16, 3, 2, 2, 2],
      [3, 12, 9, 17, 20, 1, 0, 1, 4],
    ];
    for (const [n, cIn, h, w, cOut, k, pad, dil, groups] of shapes) {
      const g: Conv2dGeometry = {
        n,
        cIn,
        h,
        w,
        cOut,
        kH: k,
        kW: k,
        strideH: 1,
        strideW: 1,
        padH: pad,
        padW: pad,
        dilH: dil,
        dilW: dil,
        groups,
        hOut: convOutputSize(h, k, 1, pad, dil),
        wOut: convOutputSize(w, k, 1, pad, dil),
      };
      const x = randF32(r, n * cIn * h * w),
        wt = randF32(r, (cOut * cIn * k * k) / groups),
        bias = randF32(r, cOut);
      const go = randF32(r, n * cOut * g.hOut * g.wOut);
      const [a, b] = both(() => conv2dForward(x, wt, bias, g));
      expectClose(b, a, 2e-6, `forward ${JSON.stringify(g)}`);
      const [c, d] = both(() => conv2dBackwardInput(go, wt, g));
      expectClose(d, c, 2e-6, `input grad ${JSON.stringify(g)}`);
      const [e, f] = both(() => conv2dBackwardWeight(go, x, g));
      expectClose(f, e, 2e-5, `weight grad ${JSON.stringify(g)}`);
    }
  });

  it('3x3 stride-1 convolutions (Winograd F(2x2, 3x3)) match, and split over 1-3 threads bit for bit', () => {
    // Every geometry here takes the Winograd path of build/wasm/src/winograd.h: forward when
    // cIn/groups >= 4 and cOut/groups >= 8, input gradient when cOut/groups >= 4 and cIn/groups >= 8.
    const r = mulberry32(23);
    const runs: { run: () => ArrayLike<number>[]; got: ArrayLike<number>[] }[] = [];
    for (let t = 0; t < 30; t++) {
      const groups = t % 5 === 4 ? 2 : 1,
        pad = randInt(r, 0, 2);
      const cIn = groups * randInt(r, 8, 20),
        cOut = groups * randInt(r, 8, 24);
      const h = Math.max(1, 3 - 2 * pad) + randInt(r, 0, t % 6 === 0 ? 24 : 9),
        w = Math.max(1, 3 - 2 * pad) + randInt(r, 0, t % 6 === 0 ? 24 : 9);
      // Some with more samples than the weight gradient's 8 sample blocks (Note [Winograd weight gradient units]).
      const n = t % 7 === 3 ? randInt(r, 9, 13) : randInt(r, 1, 3);
      const g: Conv2dGeometry = {
        n,
        cIn,
        cOut,
        h,
        w,
        kH: 3,
        kW: 3,
        strideH: 1,
        strideW: 1,
        padH: pad,
        padW: pad,
        dilH: 1,
        dilW: 1,
        groups,
        hOut: convOutputSize(h, 3, 1, pad, 1),
        wOut: convOutputSize(w, 3, 1, pad, 1),
      };
      const what = JSON.stringify(g);
      const x = randF32(r, n * cIn * h * w),
        wt = randF32(r, (cOut * cIn * 9) / groups),
        bias = randF32(r, cOut);
      const go = randF32(r, n * cOut * g.hOut * g.wOut);
      const [a, b] = both(() => conv2dForward(x, wt, bias, g));
      expectClose(b, a, 2e-6, `forward ${what}`);
      const [c, d] = both(() => conv2dBackwardInput(go, wt, g));
      expectClose(d, c, 2e-6, `input grad ${what}`);
      const [e, f] = both(() => conv2dBackwardWeight(go, x, g));
      expectClose(f, e, 2e-5, `weight grad ${what}`);
      const run = () => [conv2dForward(x, wt, bias, g), conv2dBackwardInput(go, wt, g), conv2dBackwardWeight(go, x, g)];
      runs.push({ run, got: [b, d, f] });
    }
    setKernelParallelMin(0, 0);
    try {
      for (const threads of [1, 3]) {
        setKernelThreads(threads, nodeSpawner);
        for (const { run, got } of runs) {
          const again = run();
          for (let i = 0; i < 3; i++) expect(Array.from(again[i]!), `${threads} threads`).toEqual(Array.from(got[i]!));
        }
      }
    } finally {
      setKernelParallelMin(PARALLEL_MACS, PARALLEL_ELEMENTS);
      setKernelThreads(2, nodeSpawner);
    }
  });

  it('Winograd leaves infinities and NaN to the direct convolution (inf - inf would be NaN)', () => {
    const r = mulberry32(31);
    const sameSpecials = (fast: ArrayLike<number>, ts: ArrayLike<number>, what: string): void => {
      const finite = (v: number): number => (Number.isFinite(v) ? 0 : v);
      expect(
        Array.from(fast, (v) => String(finite(v))),
        what,
      ).toEqual(Array.from(ts, (v) => String(finite(v))));
      const keep = (a: ArrayLike<number>) => Float32Array.from(a, (v) => (Number.isFinite(v) ? v : 0));
      expectClose(keep(fast), keep(ts), 2e-5, what);
    };
    // Each value where the kernels under test read it as data.
    for (const [where, value, kernels] of [
      ['x', Infinity, ['forward', 'weight grad']],
      ['x', NaN, ['forward', 'weight grad']],
      ['w', -Infinity, ['forward', 'input grad']],
      ['w', NaN, ['forward', 'input grad']],
      ['go', Infinity, ['input grad', 'weight grad']],
    ] as const) {
      // In the first sample, and (x, go) in the last one: one unit of the weight gradient's sample blocks.
      for (const at of where === 'w' ? [37] : [37, 2 * 8 * 90 + 5]) {
        const g = same3x3(3, 8, 8, 9, 10);
        const x = randF32(r, 3 * 8 * 90),
          wt = randF32(r, 8 * 8 * 9),
          go = randF32(r, 3 * 8 * 90);
        ({ x, w: wt, go })[where][at] = value;
        const what = `${String(value)} in ${where}[${at}]`;
        const run = {
          forward: () => conv2dForward(x, wt, null, g),
          'input grad': () => conv2dBackwardInput(go, wt, g),
          'weight grad': () => conv2dBackwardWeight(go, x, g),
        };
        for (const k of kernels) {
          const [a, b] = both(run[k]);
          sameSpecials(b, a, `${k}, ${what}`);
        }
      }
    }
  });

  it('an infinite weight gives the input gradient PyTorch gives, not NaN from the padding', () => {
    // Note [Flipped input gradient and non-finite weights] (build/wasm/src/kernels.c). By hand,
    // checked with torch 1.13: x [1,4,3,3], a ones [1,4,3,3] kernel with w[0][0][0][0] = inf,
    // padding 1, all-ones output gradient. Input position (i, j) gets one term per tap whose output
    // position exists; the inf tap (0, 0) pairs with output (i+1, j+1), which exists for i, j < 2.
    const g = same3x3(1, 4, 1, 3, 3);
    const wt = new Float32Array(36).fill(1);
    wt[0] = Infinity;
    const taps = [4, 6, 4, 6, 9, 6, 4, 6, 4];
    const expected = [Infinity, Infinity, 4, Infinity, Infinity, 6, 4, 6, 4, ...taps, ...taps, ...taps];
    const [ts, fast] = both(() => conv2dBackwardInput(new Float32Array(9).fill(1), wt, g));
    expect(Array.from(ts)).toEqual(expected);
    expect(Array.from(fast)).toEqual(expected);
  });

  it('gives bit-identical results with one and with two threads', () => {
    const r = mulberry32(3);
    for (let t = 0; t < 12; t++) {
      const g = convGeometry(r, true);
      const x = randF32(r, g.n * g.cIn * g.h * g.w),
        wt = randF32(r, (g.cOut * g.cIn * g.kH * g.kW) / g.groups);
      const go = randF32(r, g.n * g.cOut * g.hOut * g.wOut);
      const run = () => [conv2dForward(x, wt, null, g), conv2dBackwardInput(go, wt, g), conv2dBackwardWeight(go, x, g)];
      setKernelThreads(1);
      const one = run();
      setKernelThreads(2, nodeSpawner);
      const two = run();
      for (let i = 0; i < 3; i++) expect(Array.from(two[i]!)).toEqual(Array.from(one[i]!));
    }
    // Memory-bound kernels, every call split.
    const pg: Pool2dGeometry = {
      planes: 300,
      h: 30,
      w: 34,
      kH: 3,
      kW: 2,
      strideH: 2,
      strideW: 2,
      padH: 1,
      padW: 1,
      dilH: 1,
      dilW: 1,
      hOut: 0,
      wOut: 0,
    };
    pg.hOut = poolOutputSize(30, 3, 1, 2, 1, true);
    pg.wOut = poolOutputSize(34, 2, 1, 2, 1, true);
    const big = randF32(r, 300 * 30 * 34);
    const gpo = randF32(r, 300 * pg.hOut * pg.wOut);
    const mem = () => {
      const mp = maxPool2dForward(big, pg);
      return [
        reluForward(big),
        reluBackward(big, big),
        mp.out,
        mp.indices,
        maxPool2dBackward(gpo, mp.indices, pg),
        avgPool2dForward(big, pg, false, null),
        avgPool2dBackward(gpo, pg, true, null),
      ];
    };
    setKernelThreads(1);
    setKernelParallelMin(PARALLEL_MACS, 0);
    const k1 = mem();
    setKernelThreads(2, nodeSpawner);
    const k2 = mem();
    setKernelParallelMin(PARALLEL_MACS, PARALLEL_ELEMENTS);
    for (let i = 0; i < k1.length; i++)
      expect(Array.from(k2[i]!), `memory-bound kernel ${i}`).toEqual(Array.from(k1[i]!));
    const [ts1, fa1] = both(() => mem());
    for (let i = 0; i < ts1.length; i++) expectClose(fa1[i]!, ts1[i]!, 1e-6, `memory-bound kernel ${i} vs TypeScript`);
    const a = randF32(r, 96 * 700),
      b = randF32(r, 700 * 40);
    setKernelThreads(1);
    const m1 = matmul(a, b, 96, 700, 40, false, false);
    setKernelThreads(2, nodeSpawner);
    expect(Array.from(matmul(a, b, 96, 700, 40, false, false))).toEqual(Array.from(m1));
  });

  it('matmul and addmm match, with every transpose', () => {
    const r = mulberry32(5);
    for (let t = 0; t < 60; t++) {
      const m = randInt(r, 1, 70),
        k = randInt(r, 1, 90),
        n = randInt(r, 1, 40);
      const tA = r() < 0.5,
        tB = r() < 0.5;
      const a = randF32(r, m * k),
        b = randF32(r, k * n),
        bias = randF32(r, n);
      const [c0, c1] = both(() => matmul(a, b, m, k, n, tA, tB));
      expect(c1).toBeInstanceOf(Float32Array);
      expectClose(c1, c0, 2e-6, `matmul ${m}x${k}x${n} ${tA} ${tB}`);
      const [d0, d1] = both(() => addmm(bias, a, b, m, k, n, tA, tB));
      expectClose(d1, d0, 2e-6, `addmm ${m}x${k}x${n} ${tA} ${tB}`);
    }
  });

  it('max and average pooling match (max pooling exactly, with ties, NaN and -inf)', () => {
    const r = mulberry32(9);
    for (let t = 0; t < 200; t++) {
      const kH = randInt(r, 1, 4),
        kW = randInt(r, 1, 4);
      const padH = randInt(r, 0, kH >> 1),
        padW = randInt(r, 0, kW >> 1);
      const dilH = randInt(r, 1, 3),
        dilW = randInt(r, 1, 3),
        ceil = r() < 0.4;
      const sH = randInt(r, 1, 3),
        sW = randInt(r, 1, 3);
      const h = randInt(r, 1, 20),
        w = randInt(r, 1, 20);
      const hOut = poolOutputSize(h, kH, padH, sH, dilH, ceil),
        wOut = poolOutputSize(w, kW, padW, sW, dilW, ceil);
      if (hOut < 1 || wOut < 1) continue;
      const g: Pool2dGeometry = {
        planes: randInt(r, 1, 6),
        h,
        w,
        kH,
        kW,
        strideH: sH,
        strideW: sW,
        padH,
        padW,
        dilH,
        dilW,
        hOut,
        wOut,
      };
      const x = Float32Array.from({ length: g.planes * h * w }, () => {
        const u = r();
        return u < 0.03 ? NaN : u < 0.06 ? -Infinity : u < 0.3 ? 0.5 : Math.round(r() * 8) / 4 - 1;
      });
      const [a, b] = both(() => maxPool2dForward(x, g));
      expect(Array.from(b.out)).toEqual(Array.from(a.out));
      expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
      const go = randF32(r, g.planes * hOut * wOut);
      const [c, d] = both(() => maxPool2dBackward(go, a.indices, g));
      expectClose(d, c, 1e-7, 'max pool backward');
      const ga = { ...g, dilH: 1, dilW: 1 };
      ga.hOut = poolOutputSize(h, kH, padH, sH, 1, ceil);
      ga.wOut = poolOutputSize(w, kW, padW, sW, 1, ceil);
      if (ga.hOut < 1 || ga.wOut < 1) continue;
      const xa = randF32(r, g.planes * h * w),
        inc = r() < 0.5,
        div = r() < 0.2 ? randInt(r, 1, 7) : null;
      const [e, f] = both(() => avgPool2dForward(xa, ga, inc, div));
      expectClose(f, e, 1e-6, 'avg pool forward');
      const gao = randF32(r, g.planes * ga.hOut * ga.wOut);
      const [p, q] = both(() => avgPool2dBackward(gao, ga, inc, div));
      expectClose(q, p, 1e-6, 'avg pool backward');
    }
  });

  it('MaxPool2d(2) (its own SIMD path) matches exactly for even, odd and ceil_mode sizes', () => {
    const r = mulberry32(29);
    for (const [h, w] of [
      [28, 28],
      [14, 14],
      [7, 9],
      [2, 2],
      [3, 17],
      [16, 8],
      [9, 31],
    ]) {
      for (const ceil of [false, true]) {
        const hOut = poolOutputSize(h!, 2, 0, 2, 1, ceil),
          wOut = poolOutputSize(w!, 2, 0, 2, 1, ceil);
        const g: Pool2dGeometry = {
          planes: 5,
          h: h!,
          w: w!,
          kH: 2,
          kW: 2,
          strideH: 2,
          strideW: 2,
          padH: 0,
          padW: 0,
          dilH: 1,
          dilW: 1,
          hOut,
          wOut,
        };
        const x = Float32Array.from({ length: g.planes * h! * w! }, () => {
          const u = r();
          return u < 0.05 ? NaN : u < 0.1 ? -Infinity : u < 0.4 ? 0.5 : Math.round(r() * 8) / 4 - 1;
        });
        const [a, b] = both(() => maxPool2dForward(x, g));
        expect(Array.from(b.out).map(String), `${h}x${w} ceil ${ceil}`).toEqual(Array.from(a.out).map(String));
        expect(Array.from(b.indices), `${h}x${w} ceil ${ceil}`).toEqual(Array.from(a.indices));
        // Even sizes write each input cell once (0 + g at the index, 0 elsewhere): -0 and NaN as the scatter gives them.
        const go = Float32Array.from({ length: g.planes * hOut * wOut }, () => {
          const u = r();
          return u < 0.1 ? -0 : u < 0.15 ? NaN : u < 0.2 ? -Infinity : r() * 2 - 1;
        });
        const [c, d] = both(() => maxPool2dBackward(go, a.indices, g));
        expect(bits(d), `${h}x${w} ceil ${ceil} backward`).toEqual(bits(c));
      }
    }
  });

  it('ReLU and its gradient match exactly (NaN, -0, infinities)', () => {
    const r = mulberry32(13);
    const special = [NaN, -0, 0, Infinity, -Infinity, 1e-40, -1e-40];
    const x = Float32Array.from({ length: 5003 }, (_, i) =>
      i % 7 === 0 ? special[(i / 7) % special.length]! : r() * 2 - 1,
    );
    const [a, b] = both(() => reluForward(x));
    expect(bits(b)).toEqual(bits(a));
    const g = randF32(r, x.length);
    const [c, d] = both(() => reluBackward(g, a));
    expect(bits(d)).toEqual(bits(c));
  });

  it('reuses results left in WebAssembly memory, and drops them on an in-place write', () => {
    const r = mulberry32(17);
    const x = randF32(r, 8192),
      g = randF32(r, 8192);
    const y = reluForward(x) as Float32Array;
    // The ring's copy of y is used as the operand: a write without a version bump is not seen
    // (the engine never writes a result in place without bumping its storage's version).
    const saved = y[1];
    y.fill(1);
    const stale = reluBackward(g, y);
    setFastKernelsEnabled(false);
    const expected = reluBackward(g, y);
    setFastKernelsEnabled(true);
    expect(Array.from(stale).some((v, i) => v !== expected[i])).toBe(true);
    y[1] = saved!;
    // After bumpVersion the copy is dropped and y is copied in again.
    new Storage(y).bumpVersion();
    const [c, d] = both(() => reluBackward(g, y));
    expect(Array.from(d)).toEqual(Array.from(c));
  });

  it('a result overwritten in the ring is copied in again (chains longer than the ring)', () => {
    const r = mulberry32(19);
    const first = reluForward(randF32(r, 1 << 20)) as Float32Array;
    const pg: Pool2dGeometry = {
      planes: 64,
      h: 128,
      w: 128,
      kH: 2,
      kW: 2,
      strideH: 2,
      strideW: 2,
      padH: 0,
      padW: 0,
      dilH: 1,
      dilW: 1,
      hOut: 64,
      wOut: 64,
    };
    let prev = first;
    for (let i = 0; i < 12; i++) {
      const p = maxPool2dForward(prev, pg);
      const back = maxPool2dBackward(p.out as Float32Array, p.indices, pg);
      prev = reluForward(back) as Float32Array; // 4 MiB results: the ring wraps several times
    }
    const g = randF32(r, first.length);
    const [c, d] = both(() => reluBackward(g, first));
    expect(Array.from(d)).toEqual(Array.from(c));
    const [e, f] = both(() => maxPool2dForward(prev, pg));
    expect(Array.from(f.out)).toEqual(Array.from(e.out));
    expect(Array.from(f.indices)).toEqual(Array.from(e.indices));
  });
  it('a lent result is a view of kernel memory that no later call overwrites until its lease is released', () => {
    const r = mulberry32(23);
    const x = randF32(r, 1 << 16);
    const lease = openKernelLease()!;
    expect(lease).not.toBeNull();
    useKernelLease(lease);
    let lent: Float32Array;
    try {
      lent = reluForward(x) as Float32Array;
    } finally {
      useKernelLease(null);
    }
    expect(kernelOwned(lent)).toBe(true);
    expect(kernelLentBytes()).toBe(lent.length * 4);
    const expected = Array.from(lent);
    // In place through the engine (version bump): the view is the memory, so nothing goes stale.
    lent[0] = 5;
    new Storage(lent).bumpVersion();
    const g = randF32(r, lent.length);
    const [c, d] = both(() => reluBackward(g, lent));
    expect(Array.from(d)).toEqual(Array.from(c));
    lent[0] = expected[0]!;
    // Calls without the lease copy out, and wrap the ring many times around the lent region.
    const pg: Pool2dGeometry = {
      planes: 64,
      h: 128,
      w: 128,
      kH: 2,
      kW: 2,
      strideH: 2,
      strideW: 2,
      padH: 0,
      padW: 0,
      dilH: 1,
      dilW: 1,
      hOut: 64,
      wOut: 64,
    };
    let prev = reluForward(randF32(r, 1 << 20)) as Float32Array;
    for (let i = 0; i < 12; i++) {
      expect(kernelOwned(prev)).toBe(false);
      const p = maxPool2dForward(prev, pg);
      prev = reluForward(maxPool2dBackward(p.out as Float32Array, p.indices, pg)) as Float32Array;
    }
    expect(Array.from(lent)).toEqual(expected);
    setKernelLendThreshold(16384, true);
    releaseKernelLease(lease);
    setKernelLendThreshold(16384);
    expect(kernelLentBytes()).toBe(0);
    expect(Number.isNaN(lent[0])).toBe(true); // released memory was poisoned: the view is dead
  });
});
