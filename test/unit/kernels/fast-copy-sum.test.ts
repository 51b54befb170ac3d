/**
 * The WebAssembly padding gather (`pad_gather`: reflect, replicate, circular),
 * transpose and full double sum (`sum_all`) of build/wasm/src/ops.c against
 * the TypeScript kernels: padding and transpose bit for bit (they only copy),
 * padding on one thread and split over three; the sum within the rounding of
 * a double sum taken in another order, special values the same. Spies check
 * the fast path was taken.
 *
 * Needs build/wasm/out/kernels.wasm (`node build/wasm/build.mjs`).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  installWasmKernels,
  PARALLEL_ELEMENTS,
  PARALLEL_MACS,
  setFastKernelsEnabled,
  setKernelParallelMin,
  setKernelThreads,
} from '../../../engine/kernels/fast/index';
import { nodeSpawner } from '../../../engine/host/node/fast-kernels';
import { WasmKernels } from '../../../engine/kernels/wasm/runtime';
import { circularPad2d, reflectionPad2d, replicationPad2d, type Pad2d } from '../../../engine/kernels/pad';
import { sumDims } from '../../../engine/kernels/elementwise';
import { transpose2d } from '../../../engine/kernels/slice';
import { WASM_PATH } from '../../helpers/fast-kernels';
import { mulberry32 } from '../../helpers/mulberry';

/** Runs `f` on the TypeScript kernels, then on the fast ones. */
function both<T>(f: () => T): [T, T] {
  setFastKernelsEnabled(false);
  const ts = f();
  setFastKernelsEnabled(true);
  return [ts, f()];
}

/** The bit patterns of float32 values (-0 and NaN payloads included). */
const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** The first element whose bits differ (-1: none), and the lengths. */
function firstDifference(a: Float32Array, b: Float32Array): [number, number, number] {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length),
    y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return [i, a.length, b.length];
  return [-1, a.length, b.length];
}

const randInt = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

beforeAll(() => {
  expect(installWasmKernels(new Uint8Array(readFileSync(WASM_PATH)), { spawn: nodeSpawner, threads: 1 })).toBe(true);
});
afterAll(() => {
  setKernelParallelMin(PARALLEL_MACS, PARALLEL_ELEMENTS);
  setKernelThreads(1);
});

describe('padding by the WebAssembly gather', () => {
  const MODES = { reflect: reflectionPad2d, replicate: replicationPad2d, circular: circularPad2d };

  it('gives the TypeScript kernels bits, every mode, on 1 and 3 threads', () => {
    const r = mulberry32(61);
    const gather = vi.spyOn(WasmKernels.prototype, 'padGather');
    const cases: { what: string; run: () => Float32Array }[] = [];
    for (let t = 0; t < 24; t++) {
      const planes = randInt(r, 1, 16),
        h = randInt(r, 2, 30),
        w = randInt(r, 2, 50);
      // Reflect needs each pad below its size; the others take up to the size.
      const p: Pad2d = {
        left: randInt(r, 0, w - 1),
        right: randInt(r, 0, w - 1),
        top: randInt(r, 0, h - 1),
        bottom: randInt(r, 0, h - 1),
      };
      const x = Float32Array.from({ length: planes * h * w }, (_, i) => (i % 7 === 3 ? -0 : r() * 2 - 1));
      if (t === 5) x[0] = NaN;
      for (const [mode, f] of Object.entries(MODES)) {
        const what = `${mode} ${JSON.stringify({ planes, h, w, ...p })}`;
        const run = () => f(x, planes, h, w, p) as Float32Array;
        const [ts, fast] = both(run);
        expect(fast).toBeInstanceOf(Float32Array);
        expect(firstDifference(fast, ts as Float32Array), what).toEqual([-1, ts.length, ts.length]);
        cases.push({ what, run });
      }
    }
    // Every case of at least 4096 elements took the WebAssembly kernel.
    expect(gather.mock.calls.length).toBeGreaterThan(20);
    gather.mockRestore();
    setKernelThreads(3, nodeSpawner);
    setKernelParallelMin(0, 0);
    try {
      for (const { what, run } of cases) {
        setFastKernelsEnabled(false);
        const ts = run();
        setFastKernelsEnabled(true);
        expect(firstDifference(run(), ts), `${what}, 3 threads`).toEqual([-1, ts.length, ts.length]);
      }
    } finally {
      setKernelParallelMin(PARALLEL_MACS, PARALLEL_ELEMENTS);
      setKernelThreads(1);
    }
  });
});

describe('the WebAssembly transpose', () => {
  it('gives the TypeScript kernel bits, whole 4x4 blocks or not', () => {
    const r = mulberry32(71);
    const spy = vi.spyOn(WasmKernels.prototype, 'transpose');
    const shapes = [
      [1568, 10],
      [10, 1568],
      [1, 4096],
      [4096, 1],
      [64, 64],
      [67, 93],
      [5, 1031],
    ];
    for (let t = 0; t < 6; t++) shapes.push([randInt(r, 1, 150), randInt(r, 28, 150)]);
    let fastCalls = 0;
    for (const [rows, cols] of shapes as [number, number][]) {
      const x = Float32Array.from({ length: rows * cols }, (_, i) => (i % 11 === 4 ? -0 : r() * 2 - 1));
      const [ts, fast] = both(() => transpose2d(x, rows, cols) as Float32Array);
      expect(firstDifference(fast, ts), `[${rows}, ${cols}]`).toEqual([-1, ts.length, ts.length]);
      if (x.length >= 4096) fastCalls++;
    }
    expect(spy).toHaveBeenCalledTimes(fastCalls);
    spy.mockRestore();
  });
});

describe('the sum of every element by the WebAssembly kernel', () => {
  it('agrees with the ascending double sum to the rounding of a double sum, rounded to float32', () => {
    const r = mulberry32(67);
    const sum = vi.spyOn(WasmKernels.prototype, 'sumAll');
    let exact = 0;
    for (let t = 0; t < 40; t++) {
      const n = 2048 + randInt(r, 0, 9000); // not a multiple of 8 in most cases: the tail counts
      const scale = 10 ** randInt(r, -6, 6);
      const x = Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
      const [ts, fast] = both(() => sumDims(x, [n], [0]));
      let abs = 0;
      for (const v of x) abs += Math.abs(v);
      // Both are double sums of the same float32 values: each within n * 2^-53 * sum|x| of the exact
      // sum, so after the float32 rounding they differ by at most one float32 step.
      const tol = Math.max(Math.abs(ts[0]!) * 2 ** -23, 2 * n * 2 ** -53 * abs);
      expect(Math.abs(fast[0]! - ts[0]!), `n ${n}`).toBeLessThanOrEqual(tol);
      if (fast[0] === ts[0]) exact++;
    }
    expect(sum).toHaveBeenCalledTimes(40);
    sum.mockRestore();
    // The double sums differ in their last bits at most: nearly always the same float32.
    expect(exact).toBeGreaterThanOrEqual(38);
  });

  it('keeps NaN, infinities and +0 as the ascending sum does', () => {
    const base = () => new Float32Array(4099).fill(0.5);
    const cases: [string, Float32Array][] = [
      ['NaN in the tail', Object.assign(base(), { 4098: NaN })],
      ['+inf', Object.assign(base(), { 17: Infinity })],
      ['+inf and -inf', Object.assign(base(), { 17: Infinity, 3000: -Infinity })],
      ['-inf', Object.assign(base(), { 8: -Infinity })],
      ['all -0', new Float32Array(4096).fill(-0)],
      ['exact cancellation', Float32Array.from({ length: 4096 }, (_, i) => (i % 2 ? 3 : -3))],
    ];
    for (const [what, x] of cases) {
      const [ts, fast] = both(() => sumDims(x, [x.length], [0]) as Float32Array);
      expect(bits(fast), what).toEqual(bits(ts));
    }
  });
});
