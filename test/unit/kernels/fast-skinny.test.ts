/**
 * The skinny matrix products of build/wasm/src/skinny.h (a Linear layer with
 * few outputs: forward A·Bᵀ with few columns, gradients with a short
 * reduction) against the TypeScript kernels on odd sizes and every transpose,
 * bit for bit against the order of Note [Skinny product order] (plain module),
 * and bit for bit on 1-3 threads, on both kernel modules.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { addmm, matmul } from '../../../engine/kernels/matmul';
import { installWasmKernels } from '../../../engine/kernels/fast/index';
import { nodeSpawner } from '../../../engine/host/node/fast-kernels';
import { WASM_PATH, expectSameOnThreads, tsAndFast, wasmModules } from '../../helpers/fast-kernels';
import { mulberry32, randF32, randInt } from '../../helpers/mulberry';

const f = Math.fround;

/** A(i, p) of `a` stored `[m, k]`, or `[k, m]` when transposed. */
const at = (a: Float32Array, i: number, p: number, m: number, k: number, trans: boolean): number =>
  trans ? a[p * m + i]! : a[i * k + p]!;

/**
 * A·Bᵀ (b stored `[n, k]`) in the order of Note [Skinny product order]: four
 * partial sums over p mod 4 (the last group padded with zeros), then
 * (s0 + s1) + (s2 + s3), all in float32 without fused multiply-add.
 */
function dotOrder(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      const s = [0, 0, 0, 0];
      for (let p0 = 0; p0 < k; p0 += 4)
        for (let l = 0; l < 4; l++) {
          const p = p0 + l;
          s[l] = f(s[l]! + (p < k ? f(a[i * k + p]! * b[j * k + p]!) : 0));
        }
      c[i * n + j] = f(f(s[0]! + s[1]!) + f(s[2]! + s[3]!));
    }
  return c;
}

/** A·B (b row-major `[k, n]`) summed from 0 in ascending p in float32, without fused multiply-add. */
function ascendingOrder(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA: boolean) {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = f(s + f(at(a, i, p, m, k, transA) * b[p * n + j]!));
      c[i * n + j] = s;
    }
  return c;
}

/** Max |fast - ts| relative to the largest |ts| (at least 1) is at most `tol`. */
function expectClose(fast: ArrayLike<number>, ts: ArrayLike<number>, tol: number, what: string): void {
  expect(fast.length, what).toBe(ts.length);
  let scale = 1,
    worst = 0;
  for (let i = 0; i < ts.length; i++) scale = Math.max(scale, Math.abs(ts[i]!));
  for (let i = 0; i < ts.length; i++) worst = Math.max(worst, Math.abs(fast[i]! - ts[i]!) / scale);
  expect(worst, what).toBeLessThanOrEqual(tol);
}

interface Case {
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
}

/** W2's Linear(1568, 10) on 32 samples: forward, input gradient, weight gradient. */
const W2: Case[] = [
  { m: 32, k: 1568, n: 10, transA: false, transB: true },
  { m: 32, k: 10, n: 1568, transA: false, transB: false },
  { m: 10, k: 32, n: 1568, transA: true, transB: false },
];

/** Odd sizes of both skinny shapes: A·Bᵀ with n <= 16, and k <= 32 with either A. */
function cases(r: () => number): Case[] {
  const list = [...W2];
  for (let t = 0; t < 30; t++) {
    const m = randInt(r, 1, 37);
    list.push({ m, k: randInt(r, 1, t < 5 ? 9 : 300), n: randInt(r, 1, 16), transA: false, transB: true });
    list.push({ m, k: randInt(r, 1, 32), n: randInt(r, 1, 90), transA: r() < 0.5, transB: false });
  }
  return list;
}

describe('skinny matrix products (skinny.h)', () => {
  // A fresh install: one thread, the default split thresholds.
  afterAll(() => installWasmKernels(new Uint8Array(readFileSync(WASM_PATH))));

  for (const { name, bytes, fma } of wasmModules()) {
    it(`${name}: matmul and addmm match the TypeScript kernels (and the Note's order), on 1-3 threads alike`, () => {
      expect(installWasmKernels(bytes, { spawn: nodeSpawner, threads: 1, fma })).toBe(true);
      const r = mulberry32(57);
      const runs: { run: () => Float32Array[]; got: Float32Array[] }[] = [];
      for (const { m, k, n, transA, transB } of cases(r)) {
        const what = `${m}x${k}x${n} transA=${transA} transB=${transB}`;
        const a = randF32(r, m * k),
          b = randF32(r, k * n),
          bias = randF32(r, n);
        const [c0, c1] = tsAndFast(() => matmul(a, b, m, k, n, transA, transB) as Float32Array);
        expectClose(c1, c0, 4e-6, `matmul ${what}`);
        const [d0, d1] = tsAndFast(() => addmm(bias, a, b, m, k, n, transA, transB) as Float32Array);
        expectClose(d1, d0, 4e-6, `addmm ${what}`);
        if (!fma) {
          const want = transB ? dotOrder(a, b, m, k, n) : ascendingOrder(a, b, m, k, n, transA);
          expect(Array.from(c1), `order ${what}`).toEqual(Array.from(want));
        }
        runs.push({
          run: () =>
            [matmul(a, b, m, k, n, transA, transB), addmm(bias, a, b, m, k, n, transA, transB)] as Float32Array[],
          got: [c1, d1],
        });
      }
      expectSameOnThreads(runs);
    });
  }
});
